"""Ordinal-pattern (Bandt–Pompe) diagnostics: permutation entropy, statistical complexity, PECCARY.

Patterns
    A window of ``order`` samples ``x[t], x[t + delay], …, x[t + (order−1)·delay]``
    is mapped to its ordinal pattern: the permutation that sorts it.  Ties are
    ordered by time (an earlier sample counts as smaller), which is the
    convention of a stable argsort (ordpy, peccary, antropy >= 0.2.2); ``ties="own"``
    and ``ties="random"`` are the alternatives of :mod:`analysis.ordinal.ties`, and a
    :class:`TiedSeriesWarning` flags series with more than :data:`TIE_WARNING_FRACTION`
    tied windows.  With ``tie_tolerance`` the values are first rounded to the nearest
    multiple of the tolerance, so values in the same bin tie.  Patterns are encoded as
    integers in ``[0, order!)``: the Lehmer code ``Σ_i L_i (order−1−i)!`` with
    ``L_i`` the number of later window samples smaller than sample ``i``; code 0
    is the increasing window, ``order! − 1`` the decreasing one.
    :func:`pattern_permutations` converts codes to ordpy's argsort symbols.

Distributions and entropies
    Patterns of all ``n − (order−1)·delay`` overlapping windows are counted
    with a Numba kernel straight into an ``order!`` table (memory O(order!),
    no per-window copy).  Probabilities are relative frequencies (plug-in,
    biased low for short series: about ``(K − 1)/(2·n_windows)`` nats for K
    observed patterns).  The permutation entropy is ``H = S[P] / ln(order!)``
    (normalised) or ``S[P]`` in nats (``base=2`` for bits).

Statistical complexity (Rosso et al. 2007)
    ``C = Q0 · JS[P, U] · H`` with ``U`` uniform on ``N = order!`` patterns,
    ``JS[P, U] = S[(P+U)/2] − S[P]/2 − S[U]/2`` (unobserved patterns included)
    and ``Q0 = 1 / JS_max``, ``JS_max = −½[((N+1)/N) ln(N+1) + ln N − 2 ln(2N)]``
    (:func:`complexity_normalization`).  ``H`` and ``C`` are dimensionless and
    independent of the logarithm base.

Regimes (PECCARY, Hyman, Daniel & Schaffner 2025)
    See :func:`peccary_regions` (the regions peccary draws: :func:`peccary_boundaries`),
    :func:`classify` and :func:`recommended_delay`.  Classifiers return names
    (``"regular"``, ``"complex"``, ``"stochastic"``, ``"undefined"``); the ``*_codes``
    variants give the int8 codes that NetCDF files store with :data:`REGIME_FLAGS`, and
    :func:`regime_names` decodes them (a DataArray by its own CF flag attributes).

Input
    Series must be real and finite (NaN or ±inf raise :class:`ValueError`, as do
    integers beyond ±2**53, which float64 would round into ties); with
    ``nan="split"`` (:func:`pattern_counts`, :func:`tie_fraction`,
    :func:`natural_timescale`) NaN marks gaps that no pattern spans;
    :func:`ordinal_summary` instead reports such a series as NaN.  Entropies
    and complexities passed to the CH-plane functions lie in [0, 1].
"""

from .classification import (
    COMPLEX_FRACTION,
    MIN_WINDOWS_PER_PATTERN,
    PECCARY_REGIONS,
    REGIME_FLAGS,
    REGIMES,
    UNDEFINED,
    UNDEFINED_CODE,
    classify,
    classify_codes,
    classify_sampled,
    classify_sampled_codes,
    peccary_region_codes,
    peccary_regions,
    regime_names,
)
from .delay import (
    PECCARY_MIN_DURATION_RATIO,
    PECCARY_PATTERN_FRACTION,
    natural_timescale,
    recommended_delay,
)
from .patterns import (
    BLOCK_WINDOWS,
    MAX_COUNT_TABLE_BYTES,
    NAN_POLICIES,
    missing_patterns,
    ordinal_patterns,
    pattern_counts,
    pattern_permutations,
    tie_fraction,
)
from .plane import (
    CHBounds,
    PeccaryBoundaries,
    ch_plane_bounds,
    complexity_bounds_at,
    complexity_position,
    peccary_boundaries,
    periodic_entropy_bounds,
)
from .robust import classify_robust, repetition_period, robust_delays
from .statistics import (
    complexity_entropy,
    complexity_entropy_from_counts,
    complexity_normalization,
    permutation_entropy,
    renyi_permutation_entropy,
    tsallis_permutation_entropy,
    weighted_permutation_entropy,
)
from .summary import ordinal_summary
from .surrogates import end_matched_segment, end_mismatch, iaaft_surrogates
from .ties import (
    MAX_OWN_ORDER,
    TIE_MODES,
    TIE_WARNING_FRACTION,
    TiedSeriesWarning,
    ordered_bell_number,
    pattern_state_count,
)

__all__ = [
    "BLOCK_WINDOWS",
    "COMPLEX_FRACTION",
    "MAX_COUNT_TABLE_BYTES",
    "MAX_OWN_ORDER",
    "MIN_WINDOWS_PER_PATTERN",
    "NAN_POLICIES",
    "PECCARY_MIN_DURATION_RATIO",
    "PECCARY_PATTERN_FRACTION",
    "PECCARY_REGIONS",
    "REGIME_FLAGS",
    "REGIMES",
    "TIE_MODES",
    "TIE_WARNING_FRACTION",
    "UNDEFINED",
    "UNDEFINED_CODE",
    "CHBounds",
    "PeccaryBoundaries",
    "TiedSeriesWarning",
    "ch_plane_bounds",
    "classify",
    "classify_codes",
    "classify_robust",
    "classify_sampled",
    "classify_sampled_codes",
    "complexity_entropy",
    "complexity_bounds_at",
    "complexity_entropy_from_counts",
    "complexity_normalization",
    "complexity_position",
    "end_matched_segment",
    "end_mismatch",
    "iaaft_surrogates",
    "missing_patterns",
    "natural_timescale",
    "ordered_bell_number",
    "ordinal_patterns",
    "ordinal_summary",
    "pattern_counts",
    "pattern_permutations",
    "pattern_state_count",
    "peccary_boundaries",
    "peccary_region_codes",
    "peccary_regions",
    "periodic_entropy_bounds",
    "permutation_entropy",
    "recommended_delay",
    "regime_names",
    "renyi_permutation_entropy",
    "repetition_period",
    "robust_delays",
    "tie_fraction",
    "tsallis_permutation_entropy",
    "weighted_permutation_entropy",
]
