import bz2
import lzma
import zlib

import numpy as np
import pytest

from analysis import compression


def test_compressors_tuple():
    assert compression.COMPRESSORS == ("zlib", "bz2", "lzma")


def test_serialize_is_c_order_little_endian_own_dtype():
    array = np.arange(6, dtype=">i4").reshape(2, 3)
    data = compression.serialize(array)
    assert data == np.arange(6, dtype="<i4").tobytes()
    assert compression.serialize(np.asfortranarray(array)) == data
    assert compression.serialize(array.T) == np.ascontiguousarray(array.T, dtype="<i4").tobytes()
    assert len(compression.serialize(np.zeros(5, dtype=np.int16))) == 10
    assert compression.serialize(np.array([True, False])) == b"\x01\x00"
    assert compression.serialize([1, 2]) == np.array([1, 2]).astype("<i8").tobytes()


def test_compressed_size_matches_stdlib_settings():
    rng = np.random.default_rng(3)
    array = rng.integers(0, 4, size=(64, 64), dtype=np.uint8)
    data = array.tobytes()
    assert compression.compressed_size(array) == len(zlib.compress(data, 9))
    assert compression.compressed_size(array, "bz2") == len(bz2.compress(data, 9))
    raw = lzma.compress(
        data, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2, "preset": 6}]
    )
    assert compression.compressed_size(array, "lzma") == len(raw)
    assert compression.compressed_sizes(array) == {
        name: compression.compressed_size(array, name) for name in compression.COMPRESSORS
    }


@pytest.mark.parametrize("compressor", compression.COMPRESSORS)
def test_fixed_overhead_of_empty_input(compressor):
    # Framing cost stated in the module docstring.
    expected = {"zlib": 8, "bz2": 14, "lzma": 1}[compressor]
    assert compression.compressed_size(np.zeros(0, np.uint8), compressor) == expected


@pytest.mark.parametrize("compressor", compression.COMPRESSORS)
def test_baseline_and_ordering(compressor):
    rng = np.random.default_rng(11)
    shape = (128, 128)
    baseline = compression.constant_baseline(shape, np.uint8, compressor)
    assert baseline == compression.compressed_size(np.zeros(shape, np.uint8), compressor)
    assert compression.excess_compressed_size(np.zeros(shape, np.uint8), compressor) == 0
    striped = np.zeros(shape, np.uint8)
    striped[:, ::2] = 1
    random_bits = rng.integers(0, 2, size=shape, dtype=np.uint8)
    sizes = [compression.compressed_size(a, compressor) for a in (striped, random_bits)]
    # A periodic array costs about as much as a constant one (bz2's run-length stage can
    # even make it a few bytes cheaper); random bits cost far more.
    assert abs(sizes[0] - baseline) < 16
    assert sizes[0] < sizes[1]
    # Random bits stored one per byte cannot go below 1 bit per element (minus slack).
    assert sizes[1] >= 128 * 128 / 8


def test_size_scales_with_entropy_rate():
    # i.i.d. uniform symbols: compressed size roughly >= n log2(k) bits, and grows with k.
    rng = np.random.default_rng(5)
    n = 1 << 16
    sizes = [
        compression.compressed_size(rng.integers(0, k, size=n, dtype=np.uint8), "lzma")
        for k in (2, 4, 16)
    ]
    for k, size in zip((2, 4, 16), sizes, strict=True):
        assert n * np.log2(k) / 8 <= size <= 1.3 * n * np.log2(k) / 8


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: compression.compressed_size(np.zeros(3, np.uint8), "gzip"), "compressor"),
        (lambda: compression.constant_baseline((3,), np.uint8, "zstd"), "compressor"),
        (lambda: compression.serialize(np.zeros(3)), "array"),
        (lambda: compression.compressed_size(np.zeros(3, np.float32)), "array"),
        (lambda: compression.constant_baseline((3,), np.float64), "dtype"),
    ],
)
def test_bad_input_names_argument(call, argument):
    with pytest.raises(ValueError, match=argument):
        call()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: compression.compressed_size(np.zeros(3, np.uint8), ["zlib"]), "^compressor:"),
        (lambda: compression.constant_baseline((-1,), np.uint8), "^shape: must be an integer"),
        (lambda: compression.constant_baseline((3,), "no such dtype"), "^dtype: not a numpy"),
        (lambda: compression.constant_baseline((2**40,), np.uint8), "^shape: .* exceeds"),
        (lambda: compression.serialize([[1, 2], [3]]), "^array: not a rectangular"),
    ],
)
def test_out_of_domain_input_is_refused_with_the_argument_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
