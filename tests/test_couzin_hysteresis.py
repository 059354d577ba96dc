"""Collective memory (Couzin et al. 2002): raising Δr_o from a torus and lowering it from the
parallel state give different states over a band of Δr_o.

The shipped ``sweeps/couzin_hysteresis`` (N = 100, Δr_a = 14 BL, the paper's defaults otherwise)
is shortened to the dwells that matter: Δr_o = 0 (a swarm from the random start), 1 and 2 BL on
the way up, 5 BL (parallel), then 2 and 1 BL on the way down, 100 s (1000 steps) at each. A
member shows the loop when the end-of-dwell averages (last quarter of each dwell's records,
:func:`sims.couzin.hysteresis.dwell_means`) give M > 0.6 at Δr_o = 1 and 2 BL going up and
P > 0.65 at 2 and 1 BL coming down.

Statistics (no single trajectory is asserted): on 500 members of this protocol
(root seeds 1 and 2, 250 members each, this machine), 499 showed the loop (the one
exception left the torus early, at Δr_o = 2 BL on the way up), so the per-member rate p is at
least 0.982 at 99.9 % confidence (Clopper–Pearson). The test runs MEMBERS = 20 members and
requires at least MIN_LOOPS = 15. Taking the far more cautious p = 0.95, a false failure has
probability P(X <= 14 | n = 20, p = 0.95) = 3.3·10⁻⁴ < 10⁻³ (1.2·10⁻⁶ at p = 0.982). Without
collective memory (the descending branch milling again, p near 0) the test fails; even at
p = 0.5 it passes with probability 2 % only.
"""

import numpy as np
import pytest
import xarray as xr

from sims.couzin.hysteresis import branch_band, dwell_means, plot_hysteresis
from tests.conftest import run_cli

MEMBERS, MIN_LOOPS = 20, 15
DWELL = 100.0  # s
WIDTHS = [0.0, 1.0, 2.0, 5.0, 2.0, 1.0]  # Δr_o (BL) of the dwells
BAND = [1.0, 2.0]  # Δr_o (BL) where the branches must differ
MILLING, PARALLEL = 0.6, 0.65  # the thresholds on M (ascending) and P (descending)
PROTOCOL = (
    "protocol.params.orientation_width={times: ["
    + ", ".join(f"{DWELL * i:g}" for i in range(len(WIDTHS)))
    + "], values: ["
    + ", ".join(f"{w:g}" for w in WIDTHS)
    + "]}"
)


@pytest.fixture(scope="module")
def merged(tmp_path_factory):
    """The shortened loop over MEMBERS members, run as a batch and merged."""
    folder = tmp_path_factory.mktemp("hysteresis")
    overrides = [f"members={MEMBERS}", f"params.duration={DWELL * len(WIDTHS)}", PROTOCOL]
    arguments = [item for override in overrides for item in ("--set", override)]
    code = run_cli("batch", "sweeps/couzin_hysteresis", "--out", folder, *arguments, "--quiet")[0]
    assert code == 0
    assert run_cli("merge", folder)[0] == 0
    (path,) = folder.glob("*_merged.nc")
    with xr.open_dataset(path) as dataset:
        yield path, dataset.load()


def test_the_ascending_branch_mills_where_the_descending_branch_stays_parallel(merged):
    _, dataset = merged
    means = dwell_means(dataset)
    assert means.value.values.tolist() == WIDTHS
    assert means.branch.values.tolist() == ["ascending"] * 4 + ["descending"] * 2
    loop = np.ones(MEMBERS, dtype=bool)
    for width in BAND:
        up = means.sel(dwell=(means.value == width) & (means.branch == "ascending"))
        down = means.sel(dwell=(means.value == width) & (means.branch == "descending"))
        loop &= (up.milling.squeeze("dwell") > MILLING).values
        loop &= (down.polarization.squeeze("dwell") > PARALLEL).values
    assert loop.sum() >= MIN_LOOPS, f"{loop.sum()} of {MEMBERS} members show the loop"


def test_the_figure_draws_both_branches_with_the_member_band(merged, tmp_path):
    path, dataset = merged
    code = run_cli("plot", path, "--output", tmp_path / "loop.png")[0]
    assert code == 0 and (tmp_path / "loop.png").stat().st_size > 10_000
    figure = plot_hysteresis(dataset)
    milling_axes = figure.axes[1]
    ascending, descending = milling_axes.lines[:2]
    means = dwell_means(dataset)
    for line, branch in ((ascending, "ascending"), (descending, "descending")):
        values, (low, median, high) = branch_band(means, "milling", branch)
        np.testing.assert_array_equal(line.get_xdata(), values)
        np.testing.assert_array_equal(line.get_ydata(), median)
        assert np.all(low <= median) and np.all(median <= high) and np.any(low < high)
    assert len(milling_axes.collections) == 2  # a shaded band per branch
    single = next(path.parent.glob("*_m000.nc"))
    assert run_cli("plot", single, "--output", tmp_path / "one.png")[0] == 0
