"""Compression-based entropy and complexity estimates of integer arrays.

The compressed length of a canonical serialisation is an upper bound on the
algorithmic information content of an array (up to the compressor's fixed
framing cost).  It is used, e.g., as the "apparent complexity" of a
coarse-grained cellular-automaton state (Aaronson, Carroll & Ouellette 2014,
arXiv:1405.6903).  All sizes are in bytes.

Every estimate carries a compressor-specific offset: the framing bytes plus the
cost of describing the array's length.  :func:`constant_baseline` reports that
offset as the compressed size of an all-zero array with the same shape and
dtype; subtract it (:func:`excess_compressed_size`) to compare arrays of
different sizes or compressors.

Compressor settings (fixed, so sizes are reproducible across runs and machines
with the same library versions):

``"zlib"``
    :func:`zlib.compress` at level 9 (zlib container: 2-byte header and 4-byte
    Adler-32 trailer, 6 bytes of fixed overhead; an empty input compresses to
    8 bytes).
``"bz2"``
    :func:`bz2.compress` at level 9 (900 kB blocks; 4-byte stream header and
    10-byte end-of-stream marker, 14 bytes of fixed overhead, plus a 10-byte
    header per block).
``"lzma"``
    :func:`lzma.compress` with ``format=lzma.FORMAT_RAW`` and a single
    ``FILTER_LZMA2`` filter at preset 6 (``lzma.PRESET_DEFAULT``, 8 MiB
    dictionary).  The raw format has no container: the fixed overhead is the
    1-byte LZMA2 end marker, plus a 3- to 6-byte header per LZMA2 chunk (one
    chunk per at most 2 MiB of input).  Preset 9 compresses inputs below 8 MiB
    identically but costs about 40 ms per call to allocate its 64 MiB
    dictionary, so it is not used.
"""

import bz2
import lzma
import math
import zlib

import numpy as np

from . import _checks

COMPRESSORS = ("zlib", "bz2", "lzma")
"""Names accepted by the ``compressor`` argument."""

MAX_BASELINE_BYTES = 2**30
"""Largest all-zero array (bytes) :func:`constant_baseline` builds and compresses."""

ZLIB_LEVEL = 9
BZ2_LEVEL = 9
LZMA_PRESET = 6
LZMA_FILTERS = ({"id": lzma.FILTER_LZMA2, "preset": LZMA_PRESET},)


def _compress_zlib(data: bytes) -> bytes:
    return zlib.compress(data, ZLIB_LEVEL)


def _compress_bz2(data: bytes) -> bytes:
    return bz2.compress(data, BZ2_LEVEL)


def _compress_lzma(data: bytes) -> bytes:
    return lzma.compress(data, format=lzma.FORMAT_RAW, filters=list(LZMA_FILTERS))


_COMPRESS_FUNCTIONS = {"zlib": _compress_zlib, "bz2": _compress_bz2, "lzma": _compress_lzma}


def _check_compressor(compressor):
    if not (isinstance(compressor, str) and compressor in _COMPRESS_FUNCTIONS):
        raise ValueError(
            f"compressor: must be one of {COMPRESSORS} (got {_checks.shown(compressor)})"
        )
    return _COMPRESS_FUNCTIONS[compressor]


def _check_integer_dtype(dtype, argument):
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ValueError(f"{argument}: not a numpy dtype (got {_checks.shown(dtype)})") from None
    if not (np.issubdtype(dtype, np.integer) or dtype == np.bool_):
        raise ValueError(f"{argument}: must have an integer (or bool) dtype (got {dtype})")
    return dtype


def _check_shape(shape):
    """Return ``shape`` (an int or a sequence of them, each >= 0) as a tuple of ints."""
    if isinstance(shape, list | tuple):
        return tuple(_checks.integer(length, "shape", 0) for length in shape)
    return (_checks.integer(shape, "shape", 0),)


def serialize(array) -> bytes:
    """Return the canonical byte serialisation of an integer array.

    The elements are written in C (row-major) order, little-endian, with the
    array's own integer dtype (no header: shape and dtype are not encoded).
    Boolean arrays are accepted and written as one byte (0 or 1) per element.

    Parameters
    ----------
    array : array_like of int or bool
        The array to serialise.

    Returns
    -------
    bytes
        ``array.size * array.itemsize`` bytes.

    Raises
    ------
    ValueError
        If ``array`` is not rectangular or does not have an integer or bool dtype.
    """
    array = _checks.as_array(array, "array")
    dtype = _check_integer_dtype(array.dtype, "array")
    little_endian = dtype.newbyteorder("<")
    return np.ascontiguousarray(array, dtype=little_endian).tobytes(order="C")


def compressed_size(array, compressor="zlib") -> int:
    """Return the size in bytes of the compressed canonical serialisation.

    Parameters
    ----------
    array : array_like of int or bool
        The array; serialised with :func:`serialize`.
    compressor : {"zlib", "bz2", "lzma"}, optional
        Which compressor to use (settings in the module docstring).

    Returns
    -------
    int
        Compressed length in bytes, including the compressor's fixed overhead.
        Multiply by 8 for bits.  This is a biased-high estimate of the
        information content: subtract :func:`constant_baseline` for the excess
        over a featureless array.

    Raises
    ------
    ValueError
        For an unknown ``compressor``, or an ``array`` that is not rectangular
        or not of an integer or bool dtype.
    """
    compress = _check_compressor(compressor)
    return len(compress(serialize(array)))


def constant_baseline(shape, dtype, compressor="zlib") -> int:
    """Return the compressed size in bytes of an all-zero array.

    This is the offset carried by every :func:`compressed_size` estimate for an
    array of this shape and dtype: the compressor's framing plus the cost of
    the array's length, with no information about its content.

    Parameters
    ----------
    shape : int or tuple of int
        Shape of the array.
    dtype : dtype_like
        Integer (or bool) dtype of the array.
    compressor : {"zlib", "bz2", "lzma"}, optional
        Which compressor to use.

    Returns
    -------
    int
        Compressed size in bytes of ``np.zeros(shape, dtype)``.

    Raises
    ------
    ValueError
        For an unknown ``compressor``; a ``dtype`` that is not an integer (or
        bool) dtype; or a ``shape`` that is not non-negative integers or whose
        array would exceed :data:`MAX_BASELINE_BYTES`.
    """
    _check_compressor(compressor)
    dtype = _check_integer_dtype(dtype, "dtype")
    shape = _check_shape(shape)
    n_bytes = math.prod(shape) * dtype.itemsize
    if n_bytes > MAX_BASELINE_BYTES:
        raise ValueError(
            f"shape: an array of shape {_checks.shown(shape)} and dtype {dtype} exceeds the "
            f"limit of {MAX_BASELINE_BYTES} bytes"
        )
    return compressed_size(np.zeros(shape, dtype=dtype), compressor)


def excess_compressed_size(array, compressor="zlib") -> int:
    """Return the compressed size minus the constant-array baseline, in bytes.

    Parameters
    ----------
    array : array_like of int or bool
        The array.
    compressor : {"zlib", "bz2", "lzma"}, optional
        Which compressor to use.

    Returns
    -------
    int
        ``compressed_size(array) - constant_baseline(array.shape, array.dtype)``;
        0 for a constant-zero array and normally ``>= 0``, but a
        compressor may find a very regular array a few bytes cheaper than
        zeros (bz2 encodes ``[0, 1, 0, 1, ...]`` in fewer bytes than
        ``[0, 0, ...]``), so small negative values occur.

    Raises
    ------
    ValueError
        As for :func:`compressed_size`.
    """
    array = _checks.as_array(array, "array")
    return compressed_size(array, compressor) - constant_baseline(
        array.shape, array.dtype, compressor
    )


def compressed_sizes(array) -> dict[str, int]:
    """Return :func:`compressed_size` for every compressor in :data:`COMPRESSORS`.

    Parameters
    ----------
    array : array_like of int or bool
        The array.

    Returns
    -------
    dict of str to int
        Compressed sizes in bytes, keyed by compressor name.

    Raises
    ------
    ValueError
        As for :func:`serialize`.
    """
    data = serialize(array)
    return {name: len(_COMPRESS_FUNCTIONS[name](data)) for name in COMPRESSORS}
