import numpy as np
import pytest
import xarray as xr

import analysis  # noqa: F401  (registers the accessor)
from analysis import boltzmann, compression, entropy, ordinal


@pytest.fixture
def dataset():
    rng = np.random.default_rng(8)
    return xr.Dataset(
        {
            "x": (("member", "time"), rng.standard_normal((2, 2000)), {"units": "m"}),
            "cells": (("step", "i", "j"), rng.integers(0, 3, (4, 16, 16), dtype=np.int8)),
        },
        coords={"time": np.arange(2000.0)},
    )


def test_accessor_registered_by_import(dataset):
    assert hasattr(dataset, "entropy") and hasattr(dataset["x"], "entropy")


def test_dataarray_methods_match_numpy_functions(dataset):
    x = dataset["x"]
    pe = x.entropy.permutation(dim="time", order=4, delay=2)
    assert pe.dims == ("member",)
    np.testing.assert_array_equal(pe.values, ordinal.permutation_entropy(x.values, 4, 2))
    assert pe.attrs["units"] == "1" and pe.attrs["long_name"]
    bits = x.entropy.permutation(order=3, normalized=False, base=2)
    assert bits.attrs["units"] == "bit"
    complexity = x.entropy.complexity(order=4)
    assert "x_statistical_complexity" in complexity
    pe_ds = dataset.entropy.permutation(order=4)
    assert list(pe_ds.data_vars) == ["x"]
    summary = dataset.entropy.ordinal_summary(order=4)
    assert summary["x_permutation_entropy"].dims == ("member",)


def test_field_methods(dataset):
    cells = dataset["cells"]
    sizes = cells.entropy.compressed_size(dims=("i", "j"), compressor="bz2")
    assert sizes.dims == ("step",)
    assert sizes.values.tolist() == [
        compression.compressed_size(cells.values[t], "bz2") for t in range(4)
    ]
    assert sizes.attrs["constant_baseline"] == compression.constant_baseline(
        (16, 16), np.int8, "bz2"
    )
    counts = cells.astype(np.int64)
    s = counts.entropy.boltzmann(dim=("i", "j"), cell_volume=2.0)
    np.testing.assert_allclose(
        s.values, [boltzmann.boltzmann_entropy(c, 2.0) for c in counts.values], rtol=1e-14
    )
    h = counts.entropy.shannon(dim=("i", "j"), base=2)
    np.testing.assert_allclose(
        h.values, [entropy.shannon_entropy(c.ravel(), base=2) for c in counts.values], rtol=1e-14
    )
    spec = dataset["x"].entropy.spectral(dim="time")
    np.testing.assert_allclose(spec.values, entropy.spectral_entropy(dataset["x"].values))
    with pytest.raises(ValueError, match="dim"):
        dataset["x"].entropy.shannon(dim="nope")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # int(2.5) silently made the delay 2
        (lambda ds: ds["x"].entropy.permutation(dim="time", delay=2.5), "^delay: must be an"),
        (lambda ds: ds["cells"].entropy.compressed_size(dims="nope"), "^dims: "),
        (lambda ds: ds["cells"].entropy.shannon(dim=0.0), "^dim: "),
        (lambda ds: ds["x"].entropy.spectral(dim=[]), "^dim: "),
    ],
)
def test_out_of_domain_input_is_refused_with_the_argument_named(dataset, call, message):
    with pytest.raises(ValueError, match=message):
        call(dataset)
