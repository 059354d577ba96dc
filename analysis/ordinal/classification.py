"""Regular / complex / stochastic classification of complexity–entropy points (PECCARY)."""

import numpy as np

from .. import _checks
from .patterns import _check_order
from .plane import _points, complexity_position, peccary_boundaries
from .ties import pattern_state_count

REGIMES = ("regular", "complex", "stochastic")
"""Labels returned by :func:`classify`, in the order of their integer codes 0, 1, 2."""

UNDEFINED = "undefined"
"""Label of a point that has no regime (NaN, or too few windows for :func:`classify_sampled`)."""

UNDEFINED_CODE = -1
"""Integer code of :data:`UNDEFINED` (:func:`classify_codes`, :func:`classify_sampled_codes`)."""

PECCARY_REGIONS = ("periodic", "regular", "complex", "stochastic")
"""The regions peccary labels on its CH plane, in the order of their codes 0 … 3
(:func:`peccary_regions`); :func:`classify` counts "periodic" as regular."""

_REGIME_OF_REGION = np.array([0, 0, 1, 2, UNDEFINED_CODE], dtype=np.int8)
"""Regime code (index into :data:`REGIMES`) of each region code; the last entry is for −1."""

REGIME_FLAGS = {
    "flag_values": np.array([UNDEFINED_CODE, 0, 1, 2], dtype=np.int8),
    "flag_meanings": " ".join((UNDEFINED,) + REGIMES),
}
"""CF attributes of a variable holding regime codes (what NetCDF files store)."""

COMPLEX_FRACTION = 0.6
"""Beyond PECCARY's H_maxPer: relative height between the C_min (0) and C_max (1) curves at or
above which a point is complex (entrosim's rule; the paper leaves this split implicit).

Source of the rule: Rosso et al. (Phys. Rev. Lett. 99, 154102, 2007) show that chaotic maps lie
near the C_max curve while correlated noises (f^-k, fBm) lie along the middle of the band.
Threshold from measured positions (order 5; 10⁵ samples at delay 1, or 2·10⁴ at the PECCARY
delay): white, 1/f, 1/f², AR(1) φ = 0.9 and Brownian noise at 0.40–0.56 (f^-3 at its
PECCARY delay 0.57), sums of sines at 0.69–0.78, the logistic (r = 3.9, 4) and Hénon maps at
0.91–0.97. Flows at their PECCARY delay sit between the two families (Lorenz x: 0.60–0.77 for
t_pat/t_nat = 0.3–0.5), where no (H, C) cut separates them reliably.
"""

MIN_WINDOWS_PER_PATTERN = 10
"""Windows per possible pattern (``n_windows / order!``) below which :func:`classify_sampled`
(used by :func:`ordinal_summary` and PECCARY) reports the regime as undefined: white noise of
500 samples at order 5 (4 windows per pattern) sits at complexity position 0.53-0.66 and would
read as complex."""


def regime_names(codes):
    """Return the regime names of integer codes (−1 undefined, 0 regular, 1 complex, 2 stochastic).

    Names are plain numpy strings rather than an Enum: arrays of them compare (``== "complex"``),
    count (``np.unique``), print and go into xarray and pandas as they are.

    Parameters
    ----------
    codes : array_like of int, or xarray.DataArray
        Codes as :func:`classify_codes` returns and NetCDF files store them. A DataArray is
        decoded with its own CF ``flag_values``/``flag_meanings`` when it has them.

    Returns
    -------
    str, ndarray of str, or xarray.DataArray of str
        One name per code (same shape; a DataArray keeps its dims, coordinates and
        ``long_name``).

    Raises
    ------
    ValueError
        If a code is not among the flag values, or a DataArray's flag attributes do not pair up.
    """
    import xarray as xr

    if isinstance(codes, xr.DataArray):
        values = codes.attrs.get("flag_values", REGIME_FLAGS["flag_values"])
        meanings = codes.attrs.get("flag_meanings", REGIME_FLAGS["flag_meanings"]).split()
        names = _decode(codes.values, np.atleast_1d(values), meanings, codes.name or "codes")
        attrs = {"long_name": codes.attrs.get("long_name", codes.name or "regime")}
        return xr.DataArray(names, dims=codes.dims, coords=codes.coords, attrs=attrs)
    names = _decode(codes, REGIME_FLAGS["flag_values"], REGIME_FLAGS["flag_meanings"].split())
    return str(names) if names.ndim == 0 else names


def _decode(codes, flag_values, meanings, argument="codes"):
    codes = _checks.as_real_array(codes, argument)
    if len(flag_values) != len(meanings):
        raise ValueError(f"{argument}: {len(flag_values)} flag_values but {len(meanings)} meanings")
    order = np.argsort(flag_values)
    flag_values = np.asarray(flag_values)[order]
    meanings = np.asarray(meanings)[order]
    position = np.clip(np.searchsorted(flag_values, codes), 0, len(flag_values) - 1)
    unknown = flag_values[position] != codes
    if unknown.any():
        raise ValueError(
            f"{argument}: code {_checks.first_failing(codes, ~unknown)} has no meaning"
        )
    return meanings[position]


def peccary_region_codes(entropy, complexity, order, ties="stable"):
    """Return the PECCARY region of CH-plane points as codes indexing :data:`PECCARY_REGIONS`.

    The regions exactly as the peccary package draws and labels them (``HCplots.HCplane``
    with ``annotatePlane=True`` and ``plotBoundsHC``; Hyman, Daniel & Schaffner 2025), with the
    lines of :func:`~analysis.ordinal.peccary_boundaries`:

    * ``H_minPer <= H <= H_maxPer``: ``"periodic"`` (0) strictly above the straight line
      joining the C_max curve's points at ``H_minPer`` and ``H_maxPer`` (the thin band under
      the C_max curve where peccary writes "periodic" along the line), ``"regular"`` (1) on or
      below it;
    * ``H < H_minPer``: ``"regular"`` (1). peccary labels nothing there; ``H_minPer`` is the
      least entropy of a periodic signal, so such points are trends or slow drifts;
    * ``H > H_maxPer``: ``"complex"`` (2) if ``C`` lies at least :data:`COMPLEX_FRACTION` of
      the way from the C_min to the C_max curve, else ``"stochastic"`` (3). peccary writes
      "complex" just right of the ``H_maxPer`` line under the C_max curve and "stochastic"
      along the C_min curve near ``H = 1``, with no line between them: this split is
      entrosim's (Rosso et al., Phys. Rev. Lett. 99, 154102, 2007: chaos near C_max, noise in
      the middle of the band; measured positions in :data:`COMPLEX_FRACTION`).

    Parameters
    ----------
    entropy, complexity : array_like
        Normalised permutation entropy and statistical complexity in [0, 1]
        (NaN gives −1); their shapes broadcast against each other.
    order : int
        Embedding dimension ``>= 4`` (at order 3 ``H_maxPer = 1``: refused).
    ties : {"stable", "own", "random"}, optional
        Tie mode the values were computed with; ``"own"`` uses the boundaries of the ordered
        Bell number of states (:mod:`analysis.ordinal.ties`).

    Returns
    -------
    ndarray of int8
        0 periodic, 1 regular, 2 complex, 3 stochastic; −1 where an input is NaN.

    Raises
    ------
    ValueError
        If ``order`` is not an integer in [4, 11] (``"own"``: [4, 8]), ``ties`` is not a tie
        mode, or ``entropy`` or ``complexity`` is not real, is ±inf, lies outside [0, 1] or
        does not broadcast against the other.
    """
    order = _check_order(order, ties=ties)
    if order < 4:
        raise ValueError(f"order: the PECCARY regions need order >= 4 (got {order})")
    entropy, complexity = _points(entropy, complexity)
    bounds = peccary_boundaries(order, ties)
    position = complexity_position(entropy, complexity, order, ties)
    beyond_periodic = np.where(position >= COMPLEX_FRACTION, 2, 3)
    between_verticals = np.where(complexity > bounds.joining_line(entropy), 0, 1)
    codes = np.where(entropy > bounds.periodic_max_entropy, beyond_periodic, between_verticals)
    codes = np.where(entropy < bounds.periodic_min_entropy, 1, codes)
    codes = np.where(np.isnan(entropy) | np.isnan(complexity), UNDEFINED_CODE, codes)
    return codes.astype(np.int8)


def peccary_regions(entropy, complexity, order, ties="stable"):
    """Return the names of the PECCARY regions of CH-plane points (:data:`PECCARY_REGIONS`).

    See :func:`peccary_region_codes` for the regions, parameters and errors.

    Returns
    -------
    str or ndarray of str
        ``"periodic"``, ``"regular"``, ``"complex"``, ``"stochastic"`` or :data:`UNDEFINED`.
    """
    codes = peccary_region_codes(entropy, complexity, order, ties)
    names = np.array(PECCARY_REGIONS + (UNDEFINED,))[codes]
    return str(names) if names.ndim == 0 else names


def classify(entropy, complexity, order, ties="stable"):
    """Classify points of the complexity–entropy plane as regular, complex or stochastic.

    PECCARY's published regions (:func:`peccary_regions`, Hyman, Daniel & Schaffner 2025, as
    the peccary package draws and labels them), with its "periodic" band counted as regular
    (the paper's three classes: predominantly regular, complex or stochastic):

    1. ``H <= H_maxPer`` → ``"regular"``: below PECCARY's joining line ("regular") and in the
       band between the line and the C_max curve ("periodic"), and for ``H < H_minPer``.
    2. ``H > H_maxPer``: ``"complex"`` if ``C`` lies at least :data:`COMPLEX_FRACTION` (0.6)
       of the way from the C_min to the C_max curve at that ``H``
       (:func:`~analysis.ordinal.complexity_position`), else ``"stochastic"`` (entrosim's
       split, which the paper leaves implicit; source and calibration in
       :data:`COMPLEX_FRACTION`).

    Parameters
    ----------
    entropy, complexity : array_like
        Normalised permutation entropy and statistical complexity in [0, 1]
        (NaN gives :data:`UNDEFINED`); their shapes broadcast against each other.
    order : int
        Embedding dimension ``>= 4``.  At order 3, ``H_maxPer = 1`` and every
        point would be regular, so order 3 is refused.
    ties : {"stable", "own", "random"}, optional
        Tie mode the values were computed with (:func:`peccary_region_codes`).

    Notes
    -----
    The periodic band holds what the CH plane cannot tell apart: sines (order 5, delay 1:
    H = 0.266, C = 0.229, line at 0.223; at the PECCARY delay H = 0.508, C = 0.390, line at
    0.388) and the band-chaotic logistic map at r = 3.6–3.8 (H = 0.45–0.51, C = 0.370–0.397,
    line at 0.346–0.392) both sit there, just under the C_max curve. Telling them apart takes
    more than (H, C), e.g. forbidden-pattern statistics against surrogates.

    The rule is meant for well-sampled distributions: with few windows per
    pattern, finite-sample noise moves up the band (white noise of 500
    samples at order 5 reads as complex about half the time).  Use at least
    :data:`MIN_WINDOWS_PER_PATTERN` ``· order!`` windows; :func:`classify_sampled`
    applies that rule.

    Returns
    -------
    str or ndarray of str
        One of :data:`REGIMES` (or :data:`UNDEFINED`) per point; see :func:`regime_names`
        for why names are plain strings. :func:`classify_codes` gives the integer codes.

    Raises
    ------
    ValueError
        As for :func:`peccary_region_codes`.
    """
    return regime_names(classify_codes(entropy, complexity, order, ties))


def classify_codes(entropy, complexity, order, ties="stable"):
    """Return :func:`classify` as integer codes: 0 regular, 1 complex, 2 stochastic, −1 NaN.

    Parameters
    ----------
    entropy, complexity : array_like
        Normalised permutation entropy and statistical complexity in [0, 1]
        or NaN.
    order : int
        Embedding dimension ``>= 4``.
    ties : {"stable", "own", "random"}, optional
        Tie mode the values were computed with.

    Returns
    -------
    ndarray of int8
        Codes indexing :data:`REGIMES`; −1 where an input is NaN.

    Raises
    ------
    ValueError
        As for :func:`classify`.
    """
    regions = peccary_region_codes(entropy, complexity, order, ties)
    return _REGIME_OF_REGION[regions]


def classify_sampled(entropy, complexity, n_windows, order, ties="stable"):
    """Return :func:`classify` where there are enough windows, else ``"undefined"``.

    Parameters and errors as for :func:`classify_sampled_codes`, which gives the integer codes.

    Returns
    -------
    str or ndarray of str
        One of :data:`REGIMES` or :data:`UNDEFINED` per point.
    """
    return regime_names(classify_sampled_codes(entropy, complexity, n_windows, order, ties))


def classify_sampled_codes(entropy, complexity, n_windows, order, ties="stable"):
    """Return :func:`classify_codes` where there are enough windows, else −1 (undefined).

    A point is classified only if its series has ``n_windows >=
    MIN_WINDOWS_PER_PATTERN · order!`` windows (the ordered Bell number instead of ``order!``
    with ``ties="own"``; broadcast against ``entropy``); every point is −1 for ``order < 4``.

    Parameters
    ----------
    entropy, complexity : array_like
        Normalised permutation entropy and statistical complexity in [0, 1]
        or NaN.
    n_windows : array_like of int
        Ordinal windows behind each point (whole numbers ``>= 0``).
    order : int
        Embedding dimension ``>= 2``.
    ties : {"stable", "own", "random"}, optional
        Tie mode the values were computed with.

    Returns
    -------
    ndarray of int8
        Codes indexing :data:`REGIMES`; −1 where undefined or NaN.

    Raises
    ------
    ValueError
        If ``order`` is not an integer >= 2 (up to 11); if ``entropy`` or
        ``complexity`` is not real, is ±inf, lies outside [0, 1] or does not
        broadcast against the other; or if ``n_windows`` is not whole numbers
        ``>= 0`` that broadcast to their shape.
    """
    order = _check_order(order, ties=ties)
    entropy, complexity = _points(entropy, complexity)
    n_windows = _checks.broadcast_to(
        _checks.whole_numbers(n_windows, "n_windows"), entropy.shape, "n_windows", "entropy"
    )
    codes = np.full(entropy.shape, UNDEFINED_CODE, dtype=np.int8)
    enough = n_windows >= MIN_WINDOWS_PER_PATTERN * pattern_state_count(order, ties)
    if order >= 4 and enough.any():
        codes[enough] = classify_codes(entropy[enough], complexity[enough], order, ties)
    return codes
