"""The complexity–entropy plane: minimum and maximum complexity curves, PECCARY's entropy bounds."""

import math
from typing import NamedTuple

import numpy as np
from scipy.special import xlogy

from .. import _checks
from .patterns import _check_order
from .statistics import complexity_normalization
from .ties import pattern_state_count

MAX_CURVE_POINTS = 10**7
"""Most points :func:`ch_plane_bounds` puts on one curve (the maximum curve has at least
``2 (order! − 1)`` of them, so this bounds ``order`` at 10; a few hundred MB of temporaries)."""

UNIT_INTERVAL_SLACK = 1e-12
"""How far a normalised entropy or complexity may lie outside [0, 1] (rounding) and still be
accepted, as the nearest end of the interval."""


def _unit_interval(values, argument):
    """Return ``values`` as float64, checked to lie in [0, 1] (up to the slack) or be NaN."""
    values = _checks.floats_or_nan(values, argument)
    inside = (values >= -UNIT_INTERVAL_SLACK) & (values <= 1.0 + UNIT_INTERVAL_SLACK)
    if not (inside | np.isnan(values)).all():
        raise ValueError(
            f"{argument}: must lie in [0, 1] or be NaN "
            f"(got {_checks.first_failing(values, inside | np.isnan(values))})"
        )
    return values


def _points(entropy, complexity):
    """Return entropies and complexities checked and broadcast against each other."""
    entropy = _unit_interval(entropy, "entropy")
    complexity = _unit_interval(complexity, "complexity")
    try:
        return np.broadcast_arrays(entropy, complexity)
    except ValueError:
        raise ValueError(
            f"complexity: shape {complexity.shape} does not broadcast against entropy's "
            f"shape {entropy.shape}"
        ) from None


class CHBounds(NamedTuple):
    """Minimum and maximum complexity curves of the complexity–entropy plane."""

    min_entropy: np.ndarray
    min_complexity: np.ndarray
    max_entropy: np.ndarray
    max_complexity: np.ndarray


def _one_peak_family(peak, n_equal, n_states):
    """Return (H, C) of a distribution with one entry ``peak`` and ``n_equal`` equal others.

    The other ``n_states − n_equal − 1`` entries are zero.
    """
    peak = np.asarray(peak, dtype=np.float64)
    rest = (1.0 - peak) / n_equal
    uniform = 1.0 / n_states
    shannon = -xlogy(peak, peak) - n_equal * xlogy(rest, rest)
    mixed_peak = 0.5 * (peak + uniform)
    mixed_rest = 0.5 * (rest + uniform)
    n_zero = n_states - n_equal - 1
    shannon_mixture = (
        -xlogy(mixed_peak, mixed_peak)
        - n_equal * xlogy(mixed_rest, mixed_rest)
        - n_zero * xlogy(0.5 * uniform, 0.5 * uniform)
    )
    log_n = math.log(n_states)
    divergence = shannon_mixture - 0.5 * shannon - 0.5 * log_n
    entropy = shannon / log_n
    return entropy, complexity_normalization(n_states) * divergence * entropy


def ch_plane_bounds(order, n_points=1000, ties="stable"):
    """Return the minimum and maximum statistical-complexity curves (Martín et al. 2006).

    Minimum curve: one probability ``p ∈ [1/N, 1]`` and ``N − 1`` equal
    ones (``N = order!``).  Maximum curve: for ``K = 2 … N`` non-zero states,
    one probability ``p ∈ [0, 1/K]`` and ``K − 1`` equal ones, the remaining
    ``N − K`` zero.  Every point of a finite-series (H, C) lies between them.

    Parameters
    ----------
    order : int
        Embedding dimension ``>= 2`` (at most 10: see :data:`MAX_CURVE_POINTS`).
    n_points : int, optional
        Points on the minimum curve, in ``[2, MAX_CURVE_POINTS]``; the maximum
        curve gets ``max(2, ceil(n_points / (N − 1)))`` points per segment, so
        at least ``n_points`` in all.
    ties : {"stable", "own", "random"}, optional
        Tie mode the values were computed with: ``"own"`` uses the ordered Bell number of
        states instead of ``order!`` (:mod:`analysis.ordinal.ties`).

    Returns
    -------
    CHBounds
        ``(min_entropy, min_complexity, max_entropy, max_complexity)``, each
        sorted by increasing entropy, dimensionless.  The minimum curve uses
        ``p = linspace(1/N, 1, n_points)`` (the same points as
        ``ordpy.minimum_complexity_entropy(order, size=n_points)``).

    Raises
    ------
    ValueError
        If ``order`` is not an integer >= 2 or its maximum curve would exceed
        :data:`MAX_CURVE_POINTS` points, or ``n_points`` is not an integer in
        ``[2, MAX_CURVE_POINTS]``.
    """
    order = _check_order(order, ties=ties)
    n_points = _checks.integer(n_points, "n_points", 2, MAX_CURVE_POINTS)
    n_states = pattern_state_count(order, ties)
    per_segment = max(2, math.ceil(n_points / (n_states - 1)))
    if per_segment * (n_states - 1) > MAX_CURVE_POINTS:
        raise ValueError(
            f"order: the maximum curve at order {order} needs {per_segment * (n_states - 1)} "
            f"points (limit {MAX_CURVE_POINTS})"
        )
    peaks = np.linspace(1.0 / n_states, 1.0, n_points)[::-1]
    min_entropy, min_complexity = _one_peak_family(peaks, n_states - 1, n_states)
    n_nonzero = np.repeat(np.arange(2, n_states + 1), per_segment)
    fractions = np.tile(np.linspace(0.0, 1.0, per_segment), n_states - 1)
    max_entropy, max_complexity = _one_peak_family(fractions / n_nonzero, n_nonzero - 1, n_states)
    by_entropy = np.argsort(max_entropy, kind="stable")
    return CHBounds(
        min_entropy, min_complexity, max_entropy[by_entropy], max_complexity[by_entropy]
    )


def periodic_entropy_bounds(order, ties="stable"):
    """Return PECCARY's minimum and maximum normalised entropy of a periodic signal.

    ``H_min = ln 2 / ln(order!)`` (only the increasing and decreasing
    patterns) and ``H_max = ln(2(2·order − 3)) / ln(order!)`` (the
    ``2(2·order − 3)`` patterns of a sine-like signal).

    Parameters
    ----------
    order : int
        Embedding dimension ``>= 2``.
    ties : {"stable", "own", "random"}, optional
        Tie mode the values were computed with: ``"own"`` uses the ordered Bell number of
        states instead of ``order!`` (:mod:`analysis.ordinal.ties`).

    Returns
    -------
    tuple of float
        ``(H_min, H_max)``; for order 5: (0.144783, 0.551240).

    Raises
    ------
    ValueError
        If ``order`` is not an integer >= 2 (up to 11: ``order!`` as for
        :data:`~analysis.ordinal.MAX_COUNT_TABLE_BYTES`).
    """
    order = _check_order(order, ties=ties)
    log_n = math.log(pattern_state_count(order, ties))
    return math.log(2.0) / log_n, min(1.0, math.log(2.0 * (2 * order - 3)) / log_n)


def _bisect_family(target_entropy, low, high, n_equal, n_states, increasing):
    """Return the peak probability in [low, high] whose family entropy equals the target."""
    for _ in range(60):
        middle = 0.5 * (low + high)
        entropy, _ = _one_peak_family(middle, n_equal, n_states)
        go_up = (entropy < target_entropy) == increasing
        low = np.where(go_up, middle, low)
        high = np.where(go_up, high, middle)
    return 0.5 * (low + high)


def complexity_bounds_at(entropy, order, ties="stable"):
    """Return the minimum and maximum statistical complexity at given entropies.

    Exact (bisection to machine precision on the one-parameter families of
    :func:`ch_plane_bounds`), so it stays accurate near ``H = 1`` where the
    two curves meet and interpolating a sampled curve is not.

    Parameters
    ----------
    entropy : array_like
        Normalised permutation entropies in [0, 1] (values up to
        :data:`UNIT_INTERVAL_SLACK` outside are taken as 0 or 1).
    order : int
        Embedding dimension.
    ties : {"stable", "own", "random"}, optional
        Tie mode the values were computed with: ``"own"`` uses the ordered Bell number of
        states instead of ``order!`` (:mod:`analysis.ordinal.ties`).

    Returns
    -------
    tuple of ndarray
        ``(C_min(H), C_max(H))``, dimensionless.

    Raises
    ------
    ValueError
        If ``entropy`` is not real, is NaN or lies outside [0, 1], or ``order``
        is not an integer >= 2 (up to 11, as for :func:`periodic_entropy_bounds`).
    """
    order = _check_order(order, ties=ties)
    n_states = pattern_state_count(order, ties)
    entropy = _unit_interval(entropy, "entropy")
    if np.isnan(entropy).any():
        raise ValueError("entropy: must not be NaN (no complexity bounds)")
    entropy = np.clip(entropy, 0.0, 1.0)
    ones = np.ones_like(entropy)
    peak = _bisect_family(entropy, ones / n_states, ones, n_states - 1, n_states, False)
    _, minimum = _one_peak_family(peak, n_states - 1, n_states)
    # Segment with K non-zero states spans H in [ln(K-1), ln K] / ln N.
    n_nonzero = np.clip(np.ceil(np.exp(entropy * math.log(n_states)) - 1e-9), 2, n_states)
    peak = _bisect_family(entropy, 0.0 * ones, 1.0 / n_nonzero, n_nonzero - 1, n_states, True)
    _, maximum = _one_peak_family(peak, n_nonzero - 1, n_states)
    return minimum[()], maximum[()]


def complexity_position(entropy, complexity, order, ties="stable"):
    """Return where ``C`` lies between the minimum (0) and maximum (1) curves at ``H``.

    Parameters
    ----------
    entropy, complexity : array_like
        Normalised permutation entropy and statistical complexity, in [0, 1]
        or NaN; their shapes broadcast against each other.
    order : int
        Embedding dimension the values were computed with.
    ties : {"stable", "own", "random"}, optional
        Tie mode the values were computed with: ``"own"`` uses the ordered Bell number of
        states instead of ``order!`` (:mod:`analysis.ordinal.ties`).

    Returns
    -------
    ndarray or float
        ``(C − C_min(H)) / (C_max(H) − C_min(H))`` (exact curves from
        :func:`complexity_bounds_at`); ``nan`` where the curves meet
        (H = 0 or 1) or an input is NaN.

    Raises
    ------
    ValueError
        If ``entropy`` or ``complexity`` is not real, is ±inf or lies outside
        [0, 1], if their shapes do not broadcast, or if ``order`` is invalid
        (as for :func:`complexity_bounds_at`).
    """
    entropy, complexity = _points(entropy, complexity)
    lower, upper = complexity_bounds_at(np.nan_to_num(entropy), order, ties)
    width = upper - lower
    defined = (width > 1e-12) & ~np.isnan(entropy)
    with np.errstate(invalid="ignore", divide="ignore"):
        position = np.where(defined, (complexity - lower) / width, np.nan)
    return position[()]


class PeccaryBoundaries(NamedTuple):
    """The region lines of PECCARY's complexity–entropy plane (:func:`peccary_boundaries`).

    The vertical lines ``H = periodic_min_entropy`` and ``H = periodic_max_entropy`` run from
    the C_min curve (``*_min_complexity``) to the C_max curve (``*_max_complexity``); the
    joining line is the straight segment between the two C_max points. All dimensionless.
    """

    periodic_min_entropy: float
    periodic_max_entropy: float
    periodic_min_min_complexity: float
    periodic_max_min_complexity: float
    periodic_min_max_complexity: float
    periodic_max_max_complexity: float
    slope: float

    def joining_line(self, entropy):
        """Return the joining line's complexity at ``entropy`` (extended as a straight line)."""
        return self.periodic_min_max_complexity + self.slope * (
            np.asarray(entropy, dtype=np.float64) - self.periodic_min_entropy
        )


def peccary_boundaries(order, ties="stable"):
    """Return PECCARY's region lines: the periodic-entropy verticals and the C_max joining line.

    As drawn by the peccary package (``HCplots.plotBoundsHC``, Hyman, Daniel & Schaffner 2025):
    vertical lines at ``H_minPer`` and ``H_maxPer`` (:func:`periodic_entropy_bounds`) between
    the C_min and C_max curves, and the straight line joining the C_max curve's points at those
    two entropies. Both are vertices of the C_max curve (the uniform distributions on 2 and on
    ``2(2·order − 3)`` patterns), so the line's ends are exact; peccary finds them as the
    nearest points of its sampled curve, which here are the same vertices.

    Parameters
    ----------
    order : int
        Embedding dimension ``>= 4`` (at order 3 ``H_maxPer = 1`` and the region between the
        verticals is the whole plane).
    ties : {"stable", "own", "random"}, optional
        Tie mode: ``"own"`` recomputes everything for the ordered Bell number of states.

    Returns
    -------
    PeccaryBoundaries
        Order 5: H_minPer 0.144783, H_maxPer 0.551240; joining line from (0.144783, 0.140803)
        to (0.551240, 0.417096), slope 0.679759; C_min 0.112835 and 0.203768 at the verticals

    Raises
    ------
    ValueError
        If ``order`` is not an integer in [4, 11] (``"own"``: [4, 8]) or ``ties`` is not a
        tie mode.
    """
    order = _check_order(order, ties=ties)
    if order < 4:
        raise ValueError(f"order: PECCARY's regions need order >= 4 (got {order})")
    entropies = np.array(periodic_entropy_bounds(order, ties))
    lower, upper = complexity_bounds_at(entropies, order, ties)
    slope = (upper[1] - upper[0]) / (entropies[1] - entropies[0])
    return PeccaryBoundaries(
        float(entropies[0]),
        float(entropies[1]),
        float(lower[0]),
        float(lower[1]),
        float(upper[0]),
        float(upper[1]),
        float(slope),
    )
