"""Size scaling of the paper's Figs. 6-8 on CI-sized grids (the notebook runs larger ones).

With the window growing with the grid (g = n/4), the member-averaged maximum complexity grows
linearly in n, the time of the complexity peak as n^2 (diffusive), and the maximum entropy estimate
as n^2.
"""

import numpy as np
import pytest

from sims.core import batch
from sims.core.output import merge_runs
from sims.core.scenario import load_scenario
from tests.conftest import log_log_slope

SIZES = [20, 28, 36, 44, 52]


def r_squared(x, y, degree):
    fitted = np.polyval(np.polyfit(x, y, degree), x)
    return 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()


@pytest.fixture(scope="module")
def scaling(tmp_path_factory):
    out = tmp_path_factory.mktemp("scaling")
    scenario = load_scenario(
        "sweeps/coffee_size_scaling",
        [f"sweep={{params.grid_size: {SIZES}}}", "members=4", "output.checkpoint_interval=null"],
    )
    assert batch.execute(scenario, out, quiet=True) == 0
    merged = merge_runs(out.glob("coffee_size_scaling_p*_m*.nc")).isel(compressor=0)
    complexity = (
        (merged.complexity_estimate - merged.complexity_baseline)
        .sel(coarse_graining="threshold")
        .mean("member")
    )
    entropy = (merged.entropy_estimate - merged.entropy_baseline).max("time").mean("member")
    return (
        merged.grid_size.values.astype(float),
        complexity.max("time").values,
        complexity.idxmax("time").values,
        entropy.values,
    )


def test_maximum_entropy_grows_as_n_squared(scaling):
    n, _, _, entropy = scaling
    assert r_squared(n, entropy, 2) > 0.999
    assert np.polyfit(n, entropy, 2)[0] > 0
    assert 1.6 < log_log_slope(n, entropy) < 2.1  # -> 2 as the compressor's overhead fades


def test_complexity_peak_time_grows_as_n_squared(scaling):
    n, _, peak_time, _ = scaling
    assert 1.6 < log_log_slope(n, peak_time) < 2.4
    assert r_squared(n, peak_time, 2) > 0.95


def test_maximum_complexity_grows_linearly(scaling):
    n, peak, _, _ = scaling
    assert 0.75 < log_log_slope(n, peak) < 1.25
    assert r_squared(n, peak, 1) > 0.97
