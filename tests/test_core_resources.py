"""Memory estimates: arithmetic on the parameters that bounds what a run really allocates."""

import tracemalloc

import numpy as np
import pytest

from sims.core.registry import systems
from sims.core.resources import estimate_memory, format_bytes, shortage
from sims.core.simulation import Simulation

# sizes where the size-dependent terms dominate, each run in about a second
CASES = {
    "coffee": {"grid_size": 256, "n_records": 40, "duration": 2.0},
    "coffee-walkers": {"model": "non_interacting", "grid_size": 128, "n_records": 30,
                       "duration": 20.0},
    "couzin": {"n_agents": 800, "duration": 1.0, "record_interval": 0.5, "snapshot_stride": 1},
    "harddisc": {"n_discs": 20_000, "duration": 2.0, "record_interval": 1.0,
                 "time_quantum": 0.5, "store_particles": True},
    "kleingordon": {"points": 8192, "length": 819.2, "time_step": 0.005, "duration": 1.0,
                    "record_interval": 0.05},
    "peccary": {"samples": 50_000, "series": {
        "w": {"kind": "white_noise", "count": 5}, "p": {"kind": "coloured_noise", "count": 3},
        "f": {"kind": "fractional_brownian_motion"}, "l": {"kind": "logistic"},
        "o": {"kind": "lorenz"}}},
    "lastmile": {"synthetic": {"routes_per_city": 40}, "consolidation": {"days": 5}},
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_the_estimate_bounds_the_measured_peak_within_a_factor_of_three(case):
    """tracemalloc sees numpy's and Python's allocations (not those inside jitted kernels, which
    the estimates count as well). The bound must hold; a factor 3 keeps estimates useful
    (Couzin's counts a cohesive school's pairs: the worst case, reached by the compact start)."""
    model_class = systems()[case.split("-")[0]].model
    params = model_class.Params.model_validate(CASES[case])
    model_class.warm_up()
    tracemalloc.start()
    try:
        Simulation(model_class(params, np.random.SeedSequence(1))).run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = estimate_memory(model_class, params).bytes
    assert peak <= estimate <= 3 * peak, (format_bytes(peak), format_bytes(estimate))


def test_shortage_and_sizes_read_well():
    assert format_bytes(7.2e12) == "7.2 TB" and format_bytes(999) == "999 B"
    assert format_bytes(float("inf")) == "an unbounded amount"
    model = systems()["couzin"].model
    estimate = estimate_memory(model, model.Params(n_agents=10**9))
    assert estimate.parameter == "params.n_agents"
    assert shortage(estimate, 22 * 10**9).endswith("for one run, 22 GB available")
    assert shortage(estimate._replace(bytes=1.0), 22 * 10**9) is None
