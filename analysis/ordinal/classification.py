"""Regular / complex / stochastic classification of complexity–entropy points (PECCARY)."""

import math

import numpy as np

from .. import _checks
from .patterns import _check_order
from .plane import _points, complexity_position, periodic_entropy_bounds

REGIMES = ("regular", "complex", "stochastic")
"""Labels returned by :func:`classify`, in the order of their integer codes 0, 1, 2."""

UNDEFINED = "undefined"
"""Label of a point that has no regime (NaN, or too few windows for :func:`classify_sampled`)."""

UNDEFINED_CODE = -1
"""Integer code of :data:`UNDEFINED` (:func:`classify_codes`, :func:`classify_sampled_codes`)."""

REGIME_FLAGS = {
    "flag_values": np.array([UNDEFINED_CODE, 0, 1, 2], dtype=np.int8),
    "flag_meanings": " ".join((UNDEFINED,) + REGIMES),
}
"""CF attributes of a variable holding regime codes (what NetCDF files store)."""

COMPLEX_FRACTION = 0.6
"""Relative height between the C_min (0) and C_max (1) curves at or above which a point is complex.

Calibrated on 10⁵-sample signals at orders 5 and 6 (delay 1): white, 1/f, 1/f² and
Brownian noise lie at 0.41–0.56, sums of sines at 0.69–0.78, the logistic (r = 4)
and Hénon maps at 0.91–0.97.
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


def classify(entropy, complexity, order):
    """Classify points of the complexity–entropy plane as regular, complex or stochastic.

    Rule (PECCARY boundaries plus a stated complex/stochastic split):

    1. ``H <= H_max`` of :func:`periodic_entropy_bounds` → ``"regular"``
       (periodic and quasi-regular signals; this includes ``H < H_min``,
       e.g. monotone trends).
    2. Otherwise ``"complex"`` if ``C`` lies at least :data:`COMPLEX_FRACTION`
       (0.6) of the way from the minimum to the maximum complexity curve at
       that ``H`` (:func:`complexity_position`), i.e. near the C_max curve
       where chaotic maps sit (0.9+); else ``"stochastic"``: finite samples of
       noises (white to Brownian) sit near the middle of the band (0.4–0.56).

    Parameters
    ----------
    entropy, complexity : array_like
        Normalised permutation entropy and statistical complexity in [0, 1]
        (NaN gives :data:`UNDEFINED`); their shapes broadcast against each other.
    order : int
        Embedding dimension ``>= 4``.  At order 3, ``H_max = 1`` and every
        point would be regular, so order 3 is refused.

    Notes
    -----
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
        If ``order`` is not an integer in [4, 11], or ``entropy`` or
        ``complexity`` is not real, is ±inf, lies outside [0, 1] or does not
        broadcast against the other.
    """
    return regime_names(classify_codes(entropy, complexity, order))


def classify_codes(entropy, complexity, order):
    """Return :func:`classify` as integer codes: 0 regular, 1 complex, 2 stochastic, −1 NaN.

    Parameters
    ----------
    entropy, complexity : array_like
        Normalised permutation entropy and statistical complexity in [0, 1]
        or NaN.
    order : int
        Embedding dimension ``>= 4``.

    Returns
    -------
    ndarray of int8
        Codes indexing :data:`REGIMES`; −1 where an input is NaN.

    Raises
    ------
    ValueError
        As for :func:`classify`.
    """
    order = _check_order(order)
    if order < 4:
        raise ValueError(f"order: classify needs order >= 4 (got {order})")
    entropy, complexity = _points(entropy, complexity)
    _, periodic_max = periodic_entropy_bounds(order)
    position = complexity_position(entropy, complexity, order)
    codes = np.where(position >= COMPLEX_FRACTION, 1, 2).astype(np.int8)
    codes = np.where(entropy <= periodic_max, np.int8(0), codes)
    codes = np.where(np.isnan(entropy) | np.isnan(complexity), np.int8(UNDEFINED_CODE), codes)
    return codes.astype(np.int8)


def classify_sampled(entropy, complexity, n_windows, order):
    """Return :func:`classify` where there are enough windows, else ``"undefined"``.

    Parameters and errors as for :func:`classify_sampled_codes`, which gives the integer codes.

    Returns
    -------
    str or ndarray of str
        One of :data:`REGIMES` or :data:`UNDEFINED` per point.
    """
    return regime_names(classify_sampled_codes(entropy, complexity, n_windows, order))


def classify_sampled_codes(entropy, complexity, n_windows, order):
    """Return :func:`classify_codes` where there are enough windows, else −1 (undefined).

    A point is classified only if its series has ``n_windows >=
    MIN_WINDOWS_PER_PATTERN · order!`` windows (broadcast against ``entropy``);
    every point is −1 for ``order < 4``.

    Parameters
    ----------
    entropy, complexity : array_like
        Normalised permutation entropy and statistical complexity in [0, 1]
        or NaN.
    n_windows : array_like of int
        Ordinal windows behind each point (whole numbers ``>= 0``).
    order : int
        Embedding dimension ``>= 2``.

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
    order = _check_order(order)
    entropy, complexity = _points(entropy, complexity)
    n_windows = _checks.broadcast_to(
        _checks.whole_numbers(n_windows, "n_windows"), entropy.shape, "n_windows", "entropy"
    )
    codes = np.full(entropy.shape, UNDEFINED_CODE, dtype=np.int8)
    enough = n_windows >= MIN_WINDOWS_PER_PATTERN * math.factorial(order)
    if order >= 4 and enough.any():
        codes[enough] = classify_codes(entropy[enough], complexity[enough], order)
    return codes
