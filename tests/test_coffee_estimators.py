"""Coffee estimators: coarse-graining against brute force, block entropies, rise and fall."""

import numpy as np
import pytest
from scipy.special import gammaln
from scipy.stats import spearmanr

from sims.coffee import diagnostics
from sims.coffee.model import CoffeeModel, CoffeeParams
from sims.core.simulation import Simulation


def brute_force_window(grid, grain, periodic_vertical):
    n = grid.shape[0]
    half = grain // 2
    sums, cells = np.zeros_like(grid, dtype=np.int64), np.zeros_like(grid, dtype=np.int64)
    for i in range(n):
        for j in range(n):
            for di in range(-half, half + 1):
                row = i + di
                if periodic_vertical:
                    row %= n
                elif not 0 <= row < n:
                    continue
                for dj in range(-half, half + 1):
                    sums[i, j] += grid[row, (j + dj) % n]
                    cells[i, j] += 1
    return sums, cells


@pytest.mark.parametrize("periodic_vertical", [False, True])
@pytest.mark.parametrize("grain", [1, 3, 5, 9])
def test_window_sums_match_brute_force(grain, periodic_vertical):
    grid = np.random.default_rng(grain).integers(0, 3, size=(10, 10))
    sums, cells = diagnostics.window_sums(grid, grain, periodic_vertical)
    expected_sums, expected_cells = brute_force_window(grid, grain, periodic_vertical)
    np.testing.assert_array_equal(sums, expected_sums)
    np.testing.assert_array_equal(cells, expected_cells)


def test_threshold_is_exact_at_bucket_edges():
    cells = np.full(4, 9)
    np.testing.assert_array_equal(
        diagnostics.threshold(np.array([2, 3, 6, 9]), cells, 3), [0, 1, 2, 2]
    )
    # walkers can stack: densities above 1 go to the top bucket
    assert diagnostics.threshold(np.array([20]), np.array([9]), 7)[0] == 6


def test_row_majority_adjustment():
    coarse = np.array([[3, 3, 2, 4, 5, 0, 3], [1, 2, 1, 2, 6, 6, 0]], dtype=np.uint8)
    adjusted = diagnostics.row_majority(coarse, 7)
    # row 0: majority 3; 2 and 4 are within one bucket, 5 and 0 are not
    # row 1: 1 and 2 and 6 tie at two each -> the lowest (1); 2 and 0 are within one bucket
    np.testing.assert_array_equal(adjusted, [[3, 3, 3, 3, 5, 0, 3], [1, 1, 1, 1, 6, 6, 1]])


def test_block_entropy_is_exact():
    grid = np.zeros((6, 6), dtype=np.uint8)
    grid[:3] = 1
    exact, shannon = diagnostics.block_entropies(grid, 3, exclusion=True)
    assert exact == 0 and shannon == 0  # every block is all cream or all coffee
    grid[2, 0], grid[3, 0] = 0, 1  # one particle crosses into the lower-left block
    exact, _ = diagnostics.block_entropies(grid, 4, exclusion=True)
    # blocks: 4x4 (k=12 of 16), 4x2 (k=6 of 8), 2x4 and 2x2 empty: ln C(16,12) + ln C(8,6)
    assert exact == pytest.approx(np.log(1820) + np.log(28), rel=1e-13)
    walkers = np.array([[2, 0], [1, 3]])
    exact, _ = diagnostics.block_entropies(walkers, 2, exclusion=False)
    assert exact == pytest.approx(6 * np.log(4) - gammaln(7), rel=1e-13)


def run(model, grid_size, grain, seed, **changes):
    params = CoffeeParams(
        model=model,
        grid_size=grid_size,
        grain_size=grain,
        block_size=8,
        n_records=60,
        store_snapshots=False,
        compressors=("zlib",),
        **changes,
    )
    return Simulation(CoffeeModel(params, np.random.SeedSequence(seed))).run()


def excess(dataset):
    complexity = dataset.complexity_estimate - dataset.complexity_baseline
    return complexity.isel(compressor=0), (
        dataset.entropy_estimate - dataset.entropy_baseline
    ).isel(compressor=0)


@pytest.fixture(scope="module")
def interacting_runs():
    return [run("interacting", 48, 11, seed) for seed in range(3)]


def test_entropy_estimate_rises_and_saturates(interacting_runs):
    for dataset in interacting_runs:
        _, entropy = excess(dataset)
        values = entropy.values
        assert spearmanr(dataset.time, values)[0] > 0.95
        # non-decreasing within noise: never more than 8% of the final value below an earlier one
        assert (np.maximum.accumulate(values) - values).max() < 0.08 * values[-1]
        assert np.ptp(values[-8:]) < 0.1 * values[-1]  # saturated over the last decade
        # no compressor beats the information content of a typical mixed state: log2 C(n^2, n^2/2)
        cells = 48 * 48
        bits = (gammaln(cells + 1) - 2 * gammaln(cells / 2 + 1)) / np.log(2)
        assert dataset.entropy_estimate.isel(compressor=0)[-1] > bits / 8


def test_complexity_rises_then_falls_back_to_the_baseline(interacting_runs):
    complexity = sum(excess(d)[0] for d in interacting_runs) / len(interacting_runs)
    plain = complexity.sel(coarse_graining="threshold").values
    peak = plain.argmax()
    assert plain.max() > 100  # bytes above the constant-array baseline
    assert plain[0] < 0.1 * plain.max() and plain[-1] < 0.15 * plain.max()
    assert 0.1 * len(plain) < peak < 0.95 * len(plain)
    times = interacting_runs[0].time.values
    assert 0.05 * 48**2 < times[peak] < 0.8 * 48**2  # a fraction of the diffusion time n^2/D


def test_coarse_boltzmann_entropy_grows_to_its_mixed_value(interacting_runs):
    for dataset in interacting_runs:
        entropy = dataset.coarse_entropy.values
        mixed = 36 * (gammaln(65) - 2 * gammaln(33))  # 36 blocks of 8x8, half full
        assert entropy[0] == 0  # blocks align with the initial interface
        assert entropy[-1] == pytest.approx(mixed, rel=0.02)
        assert np.all(entropy <= dataset.coarse_shannon_entropy.values + 1e-9)


def test_adjusted_complexity_flattens_the_non_interacting_bump():
    runs = [run("non_interacting", 48, 11, seed) for seed in range(3)]
    complexity = sum(excess(d)[0] for d in runs) / len(runs)
    plain = complexity.sel(coarse_graining="threshold").max()
    adjusted = complexity.sel(coarse_graining="adjusted").max()
    assert plain > 100 and adjusted < 0.5 * plain


def test_the_figure_draws_a_uniform_mixed_grid_in_the_middle_colour():
    """The mixed end state (every coarse cell in the middle bucket) is drawn in the middle of the
    colour map, not as black (pure coffee): colour ranges are fixed, not each image's own."""
    import matplotlib
    import matplotlib.pyplot as plt

    from sims.coffee.plots import plot_run

    matplotlib.use("Agg")
    params = CoffeeParams(grid_size=16, grain_size=3, n_records=4, store_snapshots=True)
    dataset = Simulation(CoffeeModel(params, np.random.SeedSequence(1))).run()
    dataset["coarse"][-1] = 1  # the middle of 3 buckets, everywhere
    figure = plot_run(dataset)
    end = figure.axes[-1].get_images()[0]  # the coarse grid at the end
    middle = plt.get_cmap("copper")(0.5)
    np.testing.assert_allclose(end.to_rgba(end.get_array()), np.broadcast_to(middle, (16, 16, 4)))
    start = figure.axes[3].get_images()[0]  # cream on top (bucket 2), coffee below (bucket 0)
    colours = {tuple(c) for c in start.to_rgba(start.get_array()).reshape(-1, 4)}
    assert {tuple(plt.get_cmap("copper")(x)) for x in (0.0, 1.0)} <= colours
    plt.close(figure)
