"""Input checks shared by the analysis modules.

Every check raises a one-line :class:`ValueError` that starts with the name of
the offending argument (``"counts: must be ..."``) and shows the offending
value only when it is short (a scalar, or the first bad element of an array),
never the repr of a whole array.  Array checks are vectorised numpy passes,
O(n) and without a Python loop per element.
"""

import math
import numbers

import numpy as np

EXACT_INTEGER_LIMIT = 2**53
"""Integers below this magnitude are exact in float64; from ``2**53 + 1`` on, float64 rounds them.

Counts (and their totals) must stay below it, so that ``2**53 + 1`` particles are never
silently taken for ``2**53``.
"""

MAX_HISTOGRAM_BINS = 10**7
"""Most bins (all dimensions together) a histogram may have: 80 MB of float64 counts."""

SHOWN_ITEMS = 6
"""Longest list or tuple of scalars whose items an error message shows."""

SHOWN_CHARACTERS = 40
"""Longest text of a value shown in an error message (longer text is cut)."""

REAL_KINDS = "iuf"
"""numpy dtype kinds accepted where real numbers are meant (bool, complex, object,
strings, bytes, datetimes and structured dtypes are refused)."""


def shown(value):
    """Return a short, one-line description of ``value`` for an error message."""
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        value = value.item()
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    scalar_types = numbers.Number | str | bytes | type(None)
    if isinstance(value, list | tuple):
        if len(value) > SHOWN_ITEMS or not all(isinstance(item, scalar_types) for item in value):
            return f"a {type(value).__name__} of length {len(value)}"
    elif not isinstance(value, scalar_types):
        return f"a {type(value).__name__}"
    text = repr(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 3] + "..."


def first_failing(values, passes):
    """Return a short description of the first element of ``values`` where ``passes`` is False."""
    failing = np.asarray(values)[~np.broadcast_to(passes, np.shape(values))]
    return shown(failing.flat[0]) if failing.size else shown(values)


def as_array(values, argument):
    """Return ``numpy.asarray(values)``, turning numpy's refusal of ragged input into a ValueError.

    Raises
    ------
    ValueError
        If ``values`` is not a rectangular array (e.g. a ragged list).
    """
    try:
        return np.asarray(values)
    except (TypeError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ValueError(f"{argument}: not a rectangular array ({reason})") from None


def as_real_array(values, argument):
    """Return ``values`` as an array of a real (integer or floating) dtype, else raise.

    Parameters
    ----------
    values : array_like
        The argument's value.
    argument : str
        Its name, for the message.

    Returns
    -------
    ndarray
        ``numpy.asarray(values)`` (no copy, original dtype).

    Raises
    ------
    ValueError
        For a ragged sequence, or a dtype that is not integer or floating.
    """
    array = as_array(values, argument)
    if array.dtype.kind not in REAL_KINDS:
        raise ValueError(f"{argument}: must be real numbers (got dtype {array.dtype})")
    return array


def finite_floats(values, argument, min_ndim=0):
    """Return ``values`` as float64, checked to be real, finite and at least ``min_ndim``-D.

    Integer arrays are converted as numpy converts them (to the nearest float64).

    Raises
    ------
    ValueError
        For a non-real dtype, fewer than ``min_ndim`` dimensions, NaN or ±inf.
    """
    array = as_real_array(values, argument)
    if array.ndim < min_ndim:
        raise ValueError(
            f"{argument}: must have at least {min_ndim} dimension(s) (got {array.ndim})"
        )
    array = array.astype(np.float64, copy=False)
    finite = np.isfinite(array)
    if not finite.all():
        raise ValueError(f"{argument}: must be finite (got {first_failing(array, finite)})")
    return array


def floats_or_nan(values, argument):
    """Return ``values`` as float64, checked to be real and finite or NaN (±inf refused).

    Raises
    ------
    ValueError
        For a non-real dtype or ±inf.
    """
    array = as_real_array(values, argument).astype(np.float64, copy=False)
    infinite = np.isinf(array)
    if infinite.any():
        raise ValueError(
            f"{argument}: must be finite or NaN (got {first_failing(array, ~infinite)})"
        )
    return array


def axis_index(axis, ndim, argument="axis"):
    """Return ``axis`` as a non-negative index into ``ndim`` dimensions, else raise.

    Raises
    ------
    ValueError
        If ``axis`` is not an integer (bools refused) in ``[-ndim, ndim)``.
    """
    if isinstance(axis, bool | np.bool_) or not isinstance(axis, numbers.Integral):
        raise ValueError(f"{argument}: must be an integer (got {shown(axis)})")
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{argument}: must lie in [{-ndim}, {ndim}) for a {ndim}-D array (got {shown(axis)})"
        )
    return int(axis) % ndim


def axis_indices(axis, ndim, argument="axis"):
    """Return ``axis`` (None, an integer or a sequence of them) as a tuple of distinct indices.

    None means every axis.

    Raises
    ------
    ValueError
        For a non-integer or out-of-range axis, or a repeated one.
    """
    if axis is None:
        return tuple(range(ndim))
    if not isinstance(axis, tuple | list):
        return (axis_index(axis, ndim, argument),)
    axes = tuple(axis_index(single, ndim, argument) for single in axis)
    if not axes:
        raise ValueError(f"{argument}: names no axis (got {shown(axis)})")
    if len(set(axes)) != len(axes):
        raise ValueError(f"{argument}: repeats an axis (got {shown(axis)})")
    return axes


def real_scalar(value, argument):
    """Return ``value`` as a float if it is one real number (NaN and ±inf pass), else raise.

    Accepts Python and numpy integers and floats and 0-d real arrays; refuses bools,
    strings, complex numbers, sequences and other objects.  Integers too large for
    float64 become ±inf.

    Raises
    ------
    ValueError
        If ``value`` is not a single real number.
    """
    if isinstance(value, bool | np.bool_) or not (
        isinstance(value, numbers.Real)
        or (isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in REAL_KINDS)
    ):
        raise ValueError(f"{argument}: must be a real number (got {shown(value)})")
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def positive_scalar(value, argument):
    """Return ``value`` as a float, checked to be a finite real number > 0.

    Raises
    ------
    ValueError
        Otherwise.
    """
    number = real_scalar(value, argument)
    if not (number > 0 and math.isfinite(number)):
        raise ValueError(f"{argument}: must be finite and > 0 (got {shown(value)})")
    return number


def integer(value, argument, minimum, maximum=None):
    """Return ``value`` as an int, checked to be a whole number in ``[minimum, maximum]``.

    Whole floats (``5.0``) are accepted; bools, strings, NaN, ±inf and fractions are not.

    Raises
    ------
    ValueError
        Otherwise.
    """

    def refusal():
        bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        return ValueError(f"{argument}: must be an integer {bound} (got {shown(value)})")

    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
        whole = int(value)
    else:
        try:
            number = real_scalar(value, argument)
        except ValueError:
            raise refusal() from None
        if not math.isfinite(number) or number != math.floor(number):
            raise refusal()
        whole = int(number)
    if whole < minimum or (maximum is not None and whole > maximum):
        raise refusal()
    return whole


def whole_numbers(values, argument, minimum=0, total_axis=None):
    """Return ``values`` as float64, checked to be finite whole numbers ``>= minimum``.

    Integer and floating dtypes are accepted (floats must hold whole values).  Every
    value, and with ``total_axis`` every sum along that axis, must be below
    :data:`EXACT_INTEGER_LIMIT`, so that float64 arithmetic on them is exact.

    Parameters
    ----------
    values : array_like
        The counts.
    argument : str
        Their name, for the message.
    minimum : int, optional
        Smallest allowed value (default 0).
    total_axis : int, optional
        Axis whose sums must also stay below :data:`EXACT_INTEGER_LIMIT`.

    Returns
    -------
    ndarray of float64
        The values (same shape).

    Raises
    ------
    ValueError
        For a non-real dtype, NaN, ±inf, a fraction, a value below ``minimum``, or a
        value or total of ``2**53`` or more.
    """
    array = as_real_array(values, argument)
    floats = array.astype(np.float64, copy=False)
    with np.errstate(invalid="ignore"):  # inf - inf is NaN, so NaN and ±inf fail
        passes = (floats - np.floor(floats) == 0) & (floats >= minimum)
    if not passes.all():
        raise ValueError(
            f"{argument}: must be finite whole numbers >= {minimum} "
            f"(got {first_failing(array, passes)})"
        )
    if array.size and floats.max() >= EXACT_INTEGER_LIMIT:
        raise ValueError(
            f"{argument}: must be below 2**53, beyond which float64 rounds integers "
            f"(got {first_failing(array, floats < EXACT_INTEGER_LIMIT)})"
        )
    if total_axis is not None and array.size:
        largest_total = floats.sum(axis=total_axis).max()
        if largest_total >= EXACT_INTEGER_LIMIT:
            raise ValueError(
                f"{argument}: total {largest_total:.6g} along axis {total_axis} is not below "
                "2**53, beyond which float64 rounds integers"
            )
    return floats


def weights(values, argument, axis):
    """Return non-negative finite weights as float64 with the index of their bin axis.

    Parameters
    ----------
    values : array_like
        Probabilities or counts, at least 1-D.
    argument : str
        Their name, for the message.
    axis : int
        The bin axis; it must hold at least one bin.

    Returns
    -------
    weights : ndarray of float64
        The values.
    axis : int
        ``axis`` as a non-negative index.

    Raises
    ------
    ValueError
        For a non-real dtype, a 0-d array, an out-of-range axis, an empty bin axis,
        NaN, ±inf or a negative value.
    """
    array = finite_floats(values, argument, min_ndim=1)
    axis = axis_index(axis, array.ndim)
    if array.shape[axis] == 0:
        raise ValueError(f"{argument}: needs at least one bin along axis {axis} (got none)")
    negative = array < 0
    if negative.any():
        raise ValueError(f"{argument}: must be >= 0 (got {first_failing(array, ~negative)})")
    return array, axis


def broadcast_to(values, shape, argument, target):
    """Return ``values`` broadcast to ``shape`` (a read-only view), naming both on failure.

    Raises
    ------
    ValueError
        If ``values`` does not broadcast to ``shape`` (the shape of ``target``).
    """
    try:
        return np.broadcast_to(values, shape)
    except ValueError:
        raise ValueError(
            f"{argument}: shape {np.shape(values)} does not broadcast to the shape {shape} "
            f"of {target}"
        ) from None


def bin_count_or_edges(bins, argument):
    """Return one dimension's bins: a count in [1, MAX_HISTOGRAM_BINS] or finite increasing edges.

    Raises
    ------
    ValueError
        For anything else (strings, NaN or unsorted edges, fewer than 2 edges, ...).
    """
    if as_array(bins, argument).ndim == 0:
        return integer(bins, argument, 1, MAX_HISTOGRAM_BINS)
    edges = finite_floats(bins, argument)
    if edges.ndim != 1 or not 2 <= edges.size <= MAX_HISTOGRAM_BINS + 1:
        raise ValueError(
            f"{argument}: edges must be 1-D with 2 to {MAX_HISTOGRAM_BINS + 1} entries "
            f"(got shape {edges.shape})"
        )
    with np.errstate(over="ignore"):
        increasing = (np.diff(edges) > 0).all()
    if not increasing:
        raise ValueError(f"{argument}: edges must increase strictly")
    return edges


def power_of_two_scale(values, axis=None):
    """Return the power of two ``2**e`` with ``max|values| / 2**e`` in [1, 2) (1 where all zero).

    Dividing by a power of two is exact (outside the subnormal range), so the scaled
    values give bitwise the results of the originals wherever a result is
    scale-invariant, without overflow or underflow at the extremes of float64.

    Parameters
    ----------
    values : ndarray of float
        Finite values.
    axis : int or tuple of int, optional
        Axes over which one scale is shared (kept with size 1); None for one overall.

    Returns
    -------
    float or ndarray of float
        The scale(s).
    """
    largest = np.max(np.abs(values), axis=axis, keepdims=axis is not None, initial=0.0)
    _, exponent = np.frexp(largest)  # largest = mantissa · 2**exponent, mantissa in [0.5, 1)
    return np.where(largest > 0, np.ldexp(1.0, exponent - 1), 1.0)


def flag(value, argument):
    """Return ``value`` as a bool if it is one (Python or numpy bool), else raise.

    Raises
    ------
    ValueError
        If ``value`` is not a bool (e.g. an array, whose truth is ambiguous).
    """
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{argument}: must be True or False (got {shown(value)})")
    return bool(value)
