"""xarray accessors ``ds.entropy`` and ``da.entropy`` mapping the estimators over named dimensions.

Importing :mod:`analysis` registers them.  Every method reduces over the named
dimension(s) with :func:`xarray.apply_ufunc` (dask-friendly where the core
dimension is one chunk), keeps every other dimension, and returns variables
with ``units`` and ``long_name`` attributes.  Out-of-domain input raises the
:class:`ValueError` of the function a method wraps; a dimension the data does
not have raises one that names ``dim`` (or ``dims``).

Examples
--------
>>> import analysis  # noqa: F401  (registers the accessor)
>>> ds.entropy.ordinal_summary(dim="time", order=5)            # doctest: +SKIP
>>> ds["x"].entropy.permutation(dim="time", order=5, delay=2)   # doctest: +SKIP
>>> ds["cells"].entropy.compressed_size(dims=("x", "y"))        # doctest: +SKIP
"""

import numpy as np
import xarray as xr

from . import _checks, boltzmann, compression, entropy, ordinal


def _units(base, normalized):
    if normalized:
        return "1"
    return "bit" if base == 2 else ("nat" if base is None else f"log{base}")


def _dimension_list(dims, data, argument="dim"):
    """Return ``dims`` (a name or a list/tuple of names) as a list, all of them in ``data``."""
    dims = list(dims) if isinstance(dims, list | tuple) else [dims]
    missing = [d for d in dims if not isinstance(d, str) or d not in data.dims]
    if missing or not dims:
        raise ValueError(
            f"{argument}: {_checks.shown(missing or dims)} not among the dimensions "
            f"{tuple(data.dims)}"
        )
    return dims


def _reduce(data, function, dims, flatten=False, **kwargs):
    """Apply ``function`` over the core dimensions ``dims`` (flattened into one if ``flatten``)."""
    dims = _dimension_list(dims, data)
    if flatten:
        function = _flatten_last(function, len(dims))
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
        core_size = int(np.prod(values.shape[values.ndim - n_dims :]))
        return function(values.reshape(shape + (core_size,)), **kwargs)

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

        Raises
        ------
        ValueError
            If the data has no dimension ``dim``, ``delay`` is not a single
            integer >= 1, or as for :func:`analysis.ordinal.permutation_entropy`.
        """
        delay = _checks.integer(delay, "delay", 1)
        result = _reduce(
            self._data,
            ordinal.permutation_entropy,
            dim,
            order=order,
            delay=delay,
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

        Raises
        ------
        ValueError
            As for :func:`analysis.ordinal.ordinal_summary`.
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

        Raises
        ------
        ValueError
            If the data lacks a dimension of ``dim``, or as for
            :func:`analysis.entropy.shannon_entropy`.
        """
        result = _reduce(
            self._data, entropy.shannon_entropy, dim, True, normalized=normalized, base=base
        )
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
            Cell volume ``|Δ|`` (a scalar here, finite and > 0).

        Returns
        -------
        xarray.DataArray
            ``Σ [n ln|Δ| − ln n!]`` in nats (units of k_B).

        Raises
        ------
        ValueError
            If the data lacks a dimension of ``dim``, ``cell_volume`` is not a
            finite number > 0, or as for :func:`analysis.boltzmann.boltzmann_entropy`.
        """
        cell_volume = _checks.positive_scalar(cell_volume, "cell_volume")
        result = _reduce(
            self._data, boltzmann.boltzmann_entropy, dim, True, cell_volume=cell_volume, axis=-1
        )
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

        Raises
        ------
        ValueError
            If the data lacks a dimension of ``dim``, or as for
            :func:`analysis.entropy.spectral_entropy`.
        """
        axes = tuple(range(-len(_dimension_list(dim, self._data)), 0))
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

        Raises
        ------
        ValueError
            If the data lacks a dimension of ``dims``, or as for
            :func:`analysis.compression.constant_baseline` (the data's dtype
            as ``dtype``, the field's shape as ``shape``).
        """
        dims = _dimension_list(dims, self._data, "dims")
        field_shape = tuple(self._data.sizes[d] for d in dims)
        baseline = compression.constant_baseline(field_shape, self._data.dtype, compressor)

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

        Raises
        ------
        ValueError
            As for :func:`analysis.ordinal.ordinal_summary`.
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
            One variable per numeric input variable that has ``dim``, same
            names (empty if there is none).

        Raises
        ------
        ValueError
            If ``dim`` is not a string, or as for
            :meth:`EntropyDataArrayAccessor.permutation`.
        """
        if not isinstance(dim, str):
            raise ValueError(f"dim: must be a dimension name (got {_checks.shown(dim)})")
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
