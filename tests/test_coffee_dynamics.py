"""Coffee automaton dynamics: exact mean-field evolution, conservation, chunking, equilibrium."""

import numpy as np
import pytest
import xarray as xr

from sims.coffee.model import CoffeeModel, CoffeeParams

N = 16
REPLICAS = 400


def ring_or_path_laplacian(n, periodic):
    laplacian = -2 * np.eye(n) + np.eye(n, k=1) + np.eye(n, k=-1)
    if periodic:
        laplacian[0, -1] = laplacian[-1, 0] = 1
    else:
        laplacian[0, 0] = laplacian[-1, -1] = -1
    return laplacian


def initial_rows(n):
    return np.r_[np.ones(n // 2), np.zeros(n // 2)]


def replica_rows(model, boundary, steps):
    profiles = []
    for replica in range(REPLICAS):
        params = CoffeeParams(model=model, grid_size=N, boundary=boundary)
        state = np.random.SeedSequence(2024, spawn_key=(replica,))
        coffee = CoffeeModel(params, state)
        coffee.advance(steps)
        profiles.append(coffee.grid.mean(axis=1))
    profiles = np.array(profiles)
    return profiles.mean(axis=0), profiles.std(axis=0, ddof=1) / np.sqrt(REPLICAS)


@pytest.mark.parametrize("boundary", ["closed", "periodic"])
def test_interacting_mean_density_follows_the_exact_discrete_diffusion(boundary):
    """With uniform pair selection E[rho_i] obeys rho <- (I + L/P) rho exactly at every attempt.

    L is the row Laplacian (vertical pairs only change row sums; a path for the closed cup, a ring
    when periodic, so a pair across a closed wall would show at the top and bottom rows), P the
    number of adjacent pairs.
    """
    params = CoffeeParams(grid_size=N, boundary=boundary)
    attempts = 6 * params.adjacent_pairs  # 6 sweeps: the profile is far from both ends
    mean, error = replica_rows("interacting", boundary, attempts)
    step = np.eye(N) + ring_or_path_laplacian(N, boundary == "periodic") / params.adjacent_pairs
    exact = np.linalg.matrix_power(step, attempts) @ initial_rows(N)
    assert np.all(np.abs(mean - exact) <= 5 * error + 1e-12)
    # the test can fail: twice the diffusivity is rejected
    too_fast = np.linalg.matrix_power(step, 2 * attempts) @ initial_rows(N)
    assert np.max(np.abs(mean - too_fast) / error) > 8


@pytest.mark.parametrize("boundary", ["closed", "periodic"])
def test_walkers_mean_density_follows_the_exact_transition_matrix(boundary):
    """Each step a walker moves up or down with probability 1/4 each; moves into a wall stay."""
    steps = 40
    mean, error = replica_rows("non_interacting", boundary, steps)
    transition = np.eye(N) + ring_or_path_laplacian(N, boundary == "periodic") / 4
    exact = np.linalg.matrix_power(transition, steps) @ initial_rows(N)
    assert np.all(np.abs(mean - exact) <= 5 * error + 1e-12)
    too_slow = np.linalg.matrix_power(transition, steps // 2) @ initial_rows(N)
    assert np.max(np.abs(mean - too_slow) / error) > 8


@pytest.mark.parametrize("model", ["interacting", "non_interacting"])
def test_chunking_never_changes_the_result(model):
    params = CoffeeParams(model=model, grid_size=20)
    whole, pieces = (CoffeeModel(params, np.random.SeedSequence(9)) for _ in range(2))
    whole.advance(7919)
    for chunk in (1, 2, 3, 1000, 6913):
        pieces.advance(chunk)
    for key, value in whole.get_state().items():
        np.testing.assert_array_equal(value, pieces.get_state()[key])
    assert whole.step_count == pieces.step_count == 7919


@pytest.mark.parametrize("model", ["interacting", "non_interacting"])
@pytest.mark.parametrize("boundary", ["closed", "periodic"])
def test_cream_is_conserved_and_walkers_stay_consistent(model, boundary):
    params = CoffeeParams(model=model, grid_size=24, boundary=boundary)
    coffee = CoffeeModel(params, np.random.SeedSequence(4))
    coffee.advance(200_000 if model == "interacting" else 300)
    assert coffee.grid.sum() == 24 * 24 // 2
    if model == "non_interacting":
        rebuilt = np.zeros_like(coffee.grid)
        np.add.at(rebuilt, (coffee.rows, coffee.columns), 1)
        np.testing.assert_array_equal(rebuilt, coffee.grid)
        assert coffee.rows.min() >= 0 and coffee.rows.max() < 24


def test_equilibrium_acceptance_matches_random_configurations():
    """Mixed state: a random pair differs with probability 2 K (M - K) / (M (M - 1)), K = M / 2."""
    params = CoffeeParams(grid_size=32, boundary="periodic")
    coffee = CoffeeModel(params, np.random.SeedSequence(11))
    coffee.advance(2000 * params.adjacent_pairs)  # ~2 diffusion times n^2/D: mixed
    before, attempts = coffee.accepted_swaps, 400 * params.adjacent_pairs
    coffee.advance(attempts)
    cells = 32 * 32
    expected = 2 * (cells / 2) ** 2 / (cells * (cells - 1))
    accepted = (coffee.accepted_swaps - before) / attempts
    assert accepted == pytest.approx(expected, abs=0.004)


def test_dataset_records_time_in_sweeps_and_swaps():
    params = CoffeeParams(grid_size=16, n_records=10, grain_size=3)
    coffee = CoffeeModel(params, np.random.SeedSequence(3))
    records = []
    for target in coffee.record_steps():
        coffee.advance(int(target - coffee.step_count))
        records.append(coffee.observe())
    dataset = coffee.to_dataset(records)
    assert isinstance(dataset, xr.Dataset)
    np.testing.assert_allclose(dataset.time, dataset.step / params.adjacent_pairs)
    assert float(dataset.time[-1]) == pytest.approx(16**2, rel=1e-3)  # default: n^2 / D
    assert np.all(np.diff(dataset.accepted_swaps) >= 0)
    assert np.all(dataset.accepted_swaps <= dataset.step)
    assert np.all(dataset.cream_count == 128)
