"""xarray accessors ``ds.entropy`` and ``da.entropy`` mapping the estimators over named dimensions.

Importing :mod:`analysis` registers them.  Every method reduces over the named
dimension(s) with :func:`xarray.apply_ufunc` (dask-friendly where the core
dimension is one chunk), keeps every other dimension, and returns variables
with ``units`` and ``long_name`` attributes.

Examples
--------
>>> import analysis  # noqa: F401  (registers the accessor)
>>> ds.entropy.ordinal_summary(dim="time", order=5)            # doctest: +SKIP
>>> ds["x"].entropy.permutation(dim="time", order=5, delay=2)   # doctest: +SKIP
>>> ds["cells"].entropy.compressed_size(dims=("x", "y"))        # doctest: +SKIP
"""

import numpy as np
import xarray as xr

from . import boltzmann, compression, entropy, ordinal


def _units(base, normalized):
    if normalized:
        return "1"
    return "bit" if base == 2 else ("nat" if base is None else f"log{base}")


def _reduce(data, function, dims, **kwargs):
    dims = [dims] if isinstance(dims, str) else list(dims)
    missing = [d for d in dims if d not in data.dims]
    if missing:
        raise ValueError(f"dim: {missing} not among the dimensions {tuple(data.dims)}")
    return xr.apply_ufunc(
        function,
        data,
        input_core_dims=[dims],
        kwargs=kwargs,
        dask="parallelized",
        output_dtypes=[np.float64],
    )


def _flatten_last(function, n_dims):
    """Wrap ``function(values_2d_last_axis, ...)`` to accept ``n_dims`` trailing core axes."""

    def flattened(values, **kwargs):
        shape = values.shape[: values.ndim - n_dims]
        return function(values.reshape(shape + (-1,)), **kwargs)

    return flattened


@xr.register_dataarray_accessor("entropy")
class EntropyDataArrayAccessor:
    """Entropy diagnostics of one variable: ``da.entropy.<method>``."""

    def __init__(self, data_array):
        self._data = data_array

    def _name(self):
        return self._data.attrs.get("long_name", self._data.name or "data")

    def permutation(self, dim="time", order=5, delay=1, normalized=True, base=None):
        """Return the permutation entropy along ``dim`` (see ``ordinal.permutation_entropy``).

        Parameters
        ----------
        dim : str
            Time dimension reduced over.
        order, delay, normalized, base
            As for :func:`analysis.ordinal.permutation_entropy` (``delay`` a single integer).

        Returns
        -------
        xarray.DataArray
            Dimensionless if ``normalized`` else in nats (bits for ``base=2``).
        """
        result = _reduce(
            self._data,
            ordinal.permutation_entropy,
            dim,
            order=order,
            delay=int(delay),
            normalized=normalized,
            base=base,
        )
        return result.rename("permutation_entropy").assign_attrs(
            units=_units(base, normalized),
            long_name=f"permutation entropy of {self._name()} (order {order}, delay {delay})",
        )

    def complexity(self, dim="time", order=5, delay=1):
        """Return permutation entropy, statistical complexity and regime along ``dim``.

        Parameters
        ----------
        dim : str
            Time dimension reduced over.
        order : int
            Embedding dimension.
        delay : int or sequence of int
            Embedding delay(s); a sequence adds a ``delay`` dimension.

        Returns
        -------
        xarray.Dataset
            As :func:`analysis.ordinal.ordinal_summary` for this one variable.
        """
        name = self._data.name if self._data.name is not None else "data"
        return ordinal.ordinal_summary(self._data.to_dataset(name=name), dim, order, delay)

    def shannon(self, dim, normalized=False, base=None):
        """Return the Shannon entropy of the distribution held along ``dim`` (weights or counts).

        Parameters
        ----------
        dim : str or sequence of str
            Dimension(s) indexing the bins.
        normalized : bool
            Divide by ``log`` of the number of bins.
        base : float, optional
            None for nats, 2 for bits.

        Returns
        -------
        xarray.DataArray
            Plug-in Shannon entropy (:func:`analysis.entropy.shannon_entropy`).
        """
        n_dims = 1 if isinstance(dim, str) else len(dim)
        function = _flatten_last(entropy.shannon_entropy, n_dims)
        result = _reduce(self._data, function, dim, normalized=normalized, base=base)
        return result.rename("shannon_entropy").assign_attrs(
            units=_units(base, normalized), long_name=f"Shannon entropy of {self._name()}"
        )

    def boltzmann(self, dim, cell_volume=1.0):
        """Return the exact coarse-grained Boltzmann entropy of occupation numbers along ``dim``.

        Parameters
        ----------
        dim : str or sequence of str
            Dimension(s) indexing the cells.
        cell_volume : float
            Cell volume ``|Δ|`` (a scalar here).

        Returns
        -------
        xarray.DataArray
            ``Σ [n ln|Δ| − ln n!]`` in nats (units of k_B).
        """
        n_dims = 1 if isinstance(dim, str) else len(dim)
        function = _flatten_last(boltzmann.boltzmann_entropy, n_dims)
        result = _reduce(self._data, function, dim, cell_volume=cell_volume, axis=-1)
        return result.rename("boltzmann_entropy").assign_attrs(
            units="nat", long_name=f"coarse-grained Boltzmann entropy of {self._name()} (k_B = 1)"
        )

    def spectral(self, dim, normalized=True, base=None):
        """Return the spectral entropy over ``dim`` (:func:`analysis.entropy.spectral_entropy`).

        Parameters
        ----------
        dim : str or sequence of str
            Dimension(s) transformed.
        normalized : bool
            Divide by ``log`` of the number of frequency bins (default).
        base : float, optional
            None for nats, 2 for bits (when not normalised).

        Returns
        -------
        xarray.DataArray
            Spectral entropy.
        """
        n_dims = 1 if isinstance(dim, str) else len(dim)
        axes = tuple(range(-n_dims, 0))
        result = _reduce(
            self._data, entropy.spectral_entropy, dim, axis=axes, normalized=normalized, base=base
        )
        return result.rename("spectral_entropy").assign_attrs(
            units=_units(base, normalized), long_name=f"spectral entropy of {self._name()}"
        )

    def compressed_size(self, dims, compressor="zlib"):
        """Return the compressed size of the integer field over ``dims`` for each other index.

        Parameters
        ----------
        dims : str or sequence of str
            Dimensions forming one array (e.g. ``("x", "y")``), serialised in that order.
        compressor : {"zlib", "bz2", "lzma"}
            See :mod:`analysis.compression`.

        Returns
        -------
        xarray.DataArray
            Size in bytes (int64); ``attrs["constant_baseline"]`` holds the
            size of an all-zero field of the same shape and dtype.
        """
        dims = [dims] if isinstance(dims, str) else list(dims)
        field_shape = tuple(self._data.sizes[d] for d in dims)

        def sizes(values):
            flat = values.reshape((-1,) + field_shape)
            out = np.array([compression.compressed_size(f, compressor) for f in flat])
            return out.reshape(values.shape[: values.ndim - len(dims)])

        result = xr.apply_ufunc(
            sizes,
            self._data,
            input_core_dims=[dims],
            dask="parallelized",
            output_dtypes=[np.int64],
        )
        baseline = compression.constant_baseline(field_shape, self._data.dtype, compressor)
        return result.rename("compressed_size").assign_attrs(
            units="byte",
            long_name=f"{compressor} compressed size of {self._name()} over {tuple(dims)}",
            compressor=compressor,
            constant_baseline=baseline,
        )


@xr.register_dataset_accessor("entropy")
class EntropyDatasetAccessor:
    """Entropy diagnostics of a whole Dataset: ``ds.entropy.<method>``."""

    def __init__(self, dataset):
        self._data = dataset

    def ordinal_summary(self, dim="time", order=5, delay=1):
        """Return :func:`analysis.ordinal.ordinal_summary` of this Dataset.

        Parameters
        ----------
        dim : str
            Time dimension.
        order : int
            Embedding dimension.
        delay : int or sequence of int
            Embedding delay(s).

        Returns
        -------
        xarray.Dataset
            Permutation entropy, statistical complexity and regime per variable.
        """
        return ordinal.ordinal_summary(self._data, dim=dim, order=order, delay=delay)

    def permutation(self, dim="time", order=5, delay=1, normalized=True, base=None):
        """Return the permutation entropy of every numeric variable that has ``dim``.

        Parameters
        ----------
        dim : str
            Time dimension.
        order, delay, normalized, base
            As for :meth:`EntropyDataArrayAccessor.permutation`.

        Returns
        -------
        xarray.Dataset
            One variable per input variable, same names.
        """
        return xr.Dataset(
            {
                name: variable.entropy.permutation(dim, order, delay, normalized, base)
                for name, variable in self._data.data_vars.items()
                if dim in variable.dims
                and (
                    np.issubdtype(variable.dtype, np.integer)
                    or np.issubdtype(variable.dtype, np.floating)
                )
            }
        )
