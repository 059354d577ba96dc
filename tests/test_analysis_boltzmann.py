import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from analysis import boltzmann


def test_ln_multinomial_known_value():
    # ln(10! / (5! 3! 2!)) = ln 2520
    assert boltzmann.ln_multinomial([5, 3, 2]) == pytest.approx(7.832014, abs=1e-6)
    assert boltzmann.ln_multinomial([5, 3, 2]) == pytest.approx(math.log(2520), rel=1e-14)


def test_ln_multinomial_axis_and_trivial_cases():
    counts = np.array([[5, 3, 2], [10, 0, 0], [0, 0, 0]])
    np.testing.assert_allclose(
        boltzmann.ln_multinomial(counts, axis=1), [math.log(2520), 0.0, 0.0], atol=1e-12
    )
    np.testing.assert_allclose(
        boltzmann.ln_multinomial(counts.T, axis=0), boltzmann.ln_multinomial(counts), rtol=1e-14
    )


def test_boltzmann_entropy_exact_lgamma():
    counts = np.array([4, 0, 7, 1])
    expected = -sum(math.lgamma(n + 1) for n in counts)
    assert boltzmann.boltzmann_entropy(counts) == pytest.approx(expected, rel=1e-14)
    volume = 2.5
    expected_v = sum(n * math.log(volume) - math.lgamma(n + 1) for n in counts)
    assert boltzmann.boltzmann_entropy(counts, cell_volume=volume) == pytest.approx(
        expected_v, rel=1e-14
    )


def test_boltzmann_entropy_broadcast_volume_and_axis():
    rng = np.random.default_rng(1)
    counts = rng.integers(0, 20, size=(3, 5))
    volumes = rng.uniform(0.5, 3.0, size=5)
    per_row = boltzmann.boltzmann_entropy(counts, cell_volume=volumes, axis=1)
    for row, value in zip(counts, per_row, strict=True):
        expected = sum(
            n * math.log(v) - math.lgamma(n + 1) for n, v in zip(row, volumes, strict=True)
        )
        assert value == pytest.approx(expected, rel=1e-13)
    assert boltzmann.boltzmann_entropy(counts, volumes) == pytest.approx(per_row.sum(), rel=1e-13)


def test_boltzmann_entropy_is_ln_multinomial_minus_ln_n_factorial():
    # With unit cells, S = ln W - ln N! (indistinguishable vs distinguishable counting).
    counts = np.array([3, 9, 0, 2, 6])
    total = counts.sum()
    assert boltzmann.boltzmann_entropy(counts) == pytest.approx(
        boltzmann.ln_multinomial(counts) - math.lgamma(total + 1), rel=1e-13
    )


def test_h_function_matches_stirling_difference():
    counts = np.array([100.0, 250.0, 0.0, 650.0])
    volume = 0.3
    exact = boltzmann.boltzmann_entropy(counts, volume)
    stirling = boltzmann.h_function_entropy(counts, volume)
    # difference = sum over occupied cells of ln n! - n ln n + n = 0.5 ln(2 pi n) + 1/(12 n) - ...
    occupied = counts[counts > 0]
    expected = np.sum(0.5 * np.log(2 * np.pi * occupied) + 1 / (12 * occupied))
    assert stirling - exact == pytest.approx(expected, abs=1e-6)
    value = -sum(n * math.log(n / volume) for n in occupied) + counts.sum()
    assert stirling == pytest.approx(value, rel=1e-14)


def test_shannon_duality_known_and_ordering():
    duality = boltzmann.shannon_duality([5, 3, 2])
    p = np.array([0.5, 0.3, 0.2])
    n_h = -10 * np.sum(p * np.log(p))
    assert duality.n_times_entropy == pytest.approx(n_h, rel=1e-14)
    assert duality.ln_w_upper == pytest.approx(n_h, rel=1e-14)
    assert duality.ln_w_lower == pytest.approx(n_h - 2 * math.log(11), rel=1e-14)
    assert duality.ln_w_lower <= boltzmann.ln_multinomial([5, 3, 2]) <= duality.ln_w_upper


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    hnp.arrays(
        np.int64,
        st.tuples(st.integers(1, 4), st.integers(1, 12)),
        elements=st.integers(0, 1000),
    )
)
def test_duality_bounds_hold_on_random_counts(counts):
    duality = boltzmann.shannon_duality(counts, axis=-1)
    ln_w = boltzmann.ln_multinomial(counts, axis=-1)
    assert np.all(duality.ln_w_lower <= ln_w + 1e-9)
    assert np.all(ln_w <= duality.ln_w_upper + 1e-9)


def test_duality_bounds_seeded_large_counts():
    rng = np.random.default_rng(20261122)
    counts = rng.integers(0, 10**6, size=(50, 30))
    duality = boltzmann.shannon_duality(counts)
    ln_w = boltzmann.ln_multinomial(counts)
    assert np.all(duality.ln_w_lower <= ln_w)
    assert np.all(ln_w <= duality.ln_w_upper)


def test_normalized_forms():
    # Most even occupation of N in M cells gives 1; a single occupied cell gives 0.
    assert boltzmann.normalized_ln_multinomial([4, 3, 3]) == pytest.approx(1.0, rel=1e-14)
    assert boltzmann.normalized_ln_multinomial([10, 0, 0]) == 0.0
    assert boltzmann.normalized_ln_multinomial([1, 0, 0]) == 0.0
    assert boltzmann.normalized_ln_multinomial([0, 0, 0]) == 0.0
    assert boltzmann.normalized_ln_multinomial([5, 3, 2]) == pytest.approx(
        math.log(2520) / math.log(math.factorial(10) / (24 * 6 * 6)), rel=1e-13
    )
    assert boltzmann.ln_multinomial_max(10, 3) == pytest.approx(math.log(4200), rel=1e-14)
    assert boltzmann.normalized_shannon_entropy([7, 7, 7, 7]) == pytest.approx(1.0, rel=1e-14)
    assert boltzmann.normalized_shannon_entropy([0, 9, 0, 0]) == 0.0
    assert boltzmann.normalized_shannon_entropy([3]) == 0.0
    counts = np.array([[1, 2, 3, 4], [0, 0, 0, 0]])
    p = np.array([1, 2, 3, 4]) / 10
    np.testing.assert_allclose(
        boltzmann.normalized_shannon_entropy(counts),
        [-np.sum(p * np.log(p)) / np.log(4), 0.0],
        rtol=1e-14,
    )


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: boltzmann.boltzmann_entropy([1, -1]), "counts"),
        (lambda: boltzmann.boltzmann_entropy([1, np.nan]), "counts"),
        (lambda: boltzmann.boltzmann_entropy([1, 2], cell_volume=0.0), "cell_volume"),
        (lambda: boltzmann.boltzmann_entropy([1, 2], cell_volume=[1, 2, 3]), "cell_volume"),
        (lambda: boltzmann.h_function_entropy([np.inf]), "counts"),
        (lambda: boltzmann.ln_multinomial([2, -3]), "counts"),
        (lambda: boltzmann.shannon_duality([np.nan]), "counts"),
        (lambda: boltzmann.normalized_ln_multinomial([1.5, 2]), "counts"),
        (lambda: boltzmann.ln_multinomial_max(3, 0), "n_cells"),
        (lambda: boltzmann.ln_multinomial_max(3, np.inf), "n_cells"),
        (lambda: boltzmann.shannon_duality([5, 3, 2], n_cells=2), "n_cells: fewer than"),
        (lambda: boltzmann.normalized_shannon_entropy([5, 3, 2], n_cells=2), "n_cells"),
        (lambda: boltzmann.ln_multinomial_max(-1, 3), "total"),
    ],
)
def test_bad_input_names_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


def test_explicit_cell_counts_equal_padding_with_empty_cells():
    """``n_cells`` per row gives what zero-padding each row to M cells gives."""
    rows = [[5, 3, 2], [4, 1, 0], [7, 0, 0]]
    widths = [5, 3, 4]
    padded = np.zeros((3, 5))
    padded[:, :3] = rows
    for k, width in enumerate(widths):
        alone = padded[k, :width]
        duality = boltzmann.shannon_duality(padded, n_cells=widths)
        assert duality.ln_w_lower[k] == pytest.approx(boltzmann.shannon_duality(alone).ln_w_lower)
        assert boltzmann.normalized_ln_multinomial(padded, n_cells=widths)[k] == pytest.approx(
            boltzmann.normalized_ln_multinomial(alone), rel=1e-14
        )
        assert boltzmann.normalized_shannon_entropy(padded, n_cells=widths)[k] == pytest.approx(
            boltzmann.normalized_shannon_entropy(alone), rel=1e-14
        )
        assert boltzmann.ln_multinomial_max(padded.sum(-1), widths)[k] == pytest.approx(
            boltzmann.ln_multinomial_max(alone.sum(), width), rel=1e-14
        )
    with pytest.raises(ValueError, match="n_cells"):
        boltzmann.shannon_duality(rows, n_cells=[3, 0, 3])


def test_second_order_stirling_form_approaches_ln_w():
    """(5, 3, 2): 7.909347 against ln W = 7.832014; the error falls as 1/n when counts grow."""
    assert boltzmann.stirling_ln_multinomial([5, 3, 2, 0]) == pytest.approx(7.909347, abs=1e-6)
    errors = [
        boltzmann.stirling_ln_multinomial([5 * k, 3 * k, 2 * k])
        - boltzmann.ln_multinomial([5 * k, 3 * k, 2 * k])
        for k in (1, 10, 100)
    ]
    assert errors[0] > errors[1] > errors[2] > 0
    assert errors[1] / errors[2] == pytest.approx(10.0, rel=0.02)
    assert boltzmann.stirling_ln_multinomial([0, 0]) == 0.0


# ----------------------------------------------------------------------------- domain edges


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # float64 rounds 2**63 + 1 to 2**63, so ln W came out as 0.0
        (lambda: boltzmann.ln_multinomial([2**63, 1]), "^counts: must be below 2\\*\\*53"),
        (lambda: boltzmann.ln_multinomial([2**52, 2**52]), "^counts: total"),
        (lambda: boltzmann.ln_multinomial([]), "^counts: needs at least one"),
        (lambda: boltzmann.ln_multinomial([True, False]), "^counts: must be real numbers"),
        (lambda: boltzmann.boltzmann_entropy([0.5, 2.0]), "^counts: must be finite whole"),
        (lambda: boltzmann.h_function_entropy([2.5]), "^counts: must be finite whole"),
        (lambda: boltzmann.shannon_duality([1.5, 2]), "^counts: must be finite whole"),
        (lambda: boltzmann.stirling_ln_multinomial([[1, 2]], axis=2), "^axis: must lie"),
        (lambda: boltzmann.boltzmann_entropy([1, 2], cell_volume="2"), "^cell_volume: must be"),
        (lambda: boltzmann.shannon_duality([5, 3, 2], n_cells=[3, 4]), "^n_cells: shape"),
        (lambda: boltzmann.ln_multinomial_max([10, 20], [3, 4, 5]), "^n_cells: shape"),
        (lambda: boltzmann.ln_multinomial_max(2.0**60, 3), "^total: must be below"),
    ],
)
def test_out_of_domain_counts_are_refused_with_the_argument_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_ln_multinomial_and_n_times_entropy_stay_accurate_for_a_dominant_cell():
    """[2**52, 1]: ln W = ln(2**52 + 1); ln N! − Σ ln n! of gammaln values gave 64, and the
    difference N ln N − Σ n ln n of N·H lost every digit (32 instead of 37.04)."""
    big = 2**52
    ln_w = boltzmann.ln_multinomial([big, 1])
    assert ln_w == pytest.approx(math.log(big + 1), rel=1e-13)
    n_h = math.log(big + 1) + big * math.log1p(1 / big)  # (N) ln N − (N−1) ln(N−1), N = 2**52+1
    duality = boltzmann.shannon_duality([big, 1])
    assert duality.n_times_entropy == pytest.approx(n_h, rel=1e-13)
    assert duality.ln_w_lower <= ln_w <= duality.ln_w_upper
    assert boltzmann.ln_multinomial([big - 1, 0, 1]) == pytest.approx(math.log(big), rel=1e-13)
