"""xarray summary: permutation entropy, complexity and regime of every variable of a Dataset."""

import numpy as np

from .. import _checks
from .classification import REGIME_FLAGS, classify_sampled_codes
from .patterns import _check_delays, _check_order, tie_fraction
from .statistics import complexity_entropy
from .ties import TIE_WARNING_FRACTION, _check_ties


def _summary_kernel(values, order, delays, ties, seed):
    """Return (H, C, regime code, tie fraction) arrays for rows of ``values``.

    Rows with NaN or ±inf give NaN, NaN, −1, NaN.
    """
    batch_shape = values.shape[:-1]
    rows = values.reshape(-1, values.shape[-1])
    finite = np.isfinite(rows).all(axis=1)
    entropy = np.full((rows.shape[0], delays.size), np.nan)
    complexity = np.full((rows.shape[0], delays.size), np.nan)
    tied = np.full((rows.shape[0], delays.size), np.nan)
    if finite.any():
        entropy[finite], complexity[finite] = complexity_entropy(
            rows[finite], order=order, delay=delays, axis=-1, ties=ties, seed=seed
        )
        tied[finite] = tie_fraction(rows[finite], order=order, delay=delays, axis=-1)
    regime = classify_sampled_codes(
        entropy, complexity, values.shape[-1] - (order - 1) * delays, order, ties
    )
    shape = batch_shape + (delays.size,)
    return tuple(array.reshape(shape) for array in (entropy, complexity, regime, tied))


def ordinal_summary(ds, dim="time", order=5, delay=1, ties="stable", seed=None):
    """Return permutation entropy, complexity and regime of every numeric variable along ``dim``.

    Every numeric (integer or floating) data variable of ``ds`` that has
    dimension ``dim`` is reduced over ``dim``; its other dimensions are kept.
    Series containing NaN or ±inf (missing or overflowed data) give NaN
    entropy, complexity and tie fraction and regime −1; the regime is also −1 (undefined)
    when there are fewer than :data:`~analysis.ordinal.MIN_WINDOWS_PER_PATTERN`
    windows per possible pattern.

    Parameters
    ----------
    ds : xarray.Dataset or xarray.DataArray
        Input (a DataArray is treated as a one-variable Dataset).
    dim : str, optional
        Dimension holding time (default ``"time"``).
    order : int, optional
        Embedding dimension (default 5).
    delay : int or sequence of int, optional
        Embedding delay(s) in samples along ``dim``; a sequence adds a
        ``delay`` dimension.
    ties : {"stable", "own", "random"}, optional
        How equal samples are ordered (:mod:`analysis.ordinal.ties`; default by time).
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, optional
        Seed of the tie-breaking keys (required with ``ties="random"``).

    Returns
    -------
    xarray.Dataset
        For each input variable ``v``: ``v_permutation_entropy`` and
        ``v_statistical_complexity`` (float64, units ``"1"``; NaN for a series
        with NaN or ±inf) and, for
        ``order >= 4``, ``v_regime`` (int8 CF flags: −1 undefined, 0 regular,
        1 complex, 2 stochastic; see :func:`classify`; decode with
        :func:`~analysis.ordinal.regime_names`), and ``v_tie_fraction`` (share of windows
        holding two equal samples, :func:`~analysis.ordinal.tie_fraction`).  Every variable
        has ``units`` and ``long_name``; ``attrs`` record ``order``, ``delay``, ``dim`` and
        ``ties``.

    Warns
    -----
    TiedSeriesWarning
        With ``ties="stable"``, if a series has more than
        :data:`~analysis.ordinal.TIE_WARNING_FRACTION` tied windows.

    Raises
    ------
    ValueError
        If ``ds`` is not an xarray Dataset or DataArray; if no numeric variable
        has ``dim``; if ``dim`` is too short for ``order`` and ``delay``; if
        ``order`` or ``delay`` are invalid (as for
        :func:`~analysis.ordinal.pattern_counts`); if ``ties`` or ``seed`` are invalid; or
        if a variable holds integers beyond ±2**53.
    """
    import xarray as xr

    if not isinstance(ds, xr.Dataset | xr.DataArray):
        raise ValueError(f"ds: must be an xarray Dataset or DataArray (got {_checks.shown(ds)})")
    if isinstance(ds, xr.DataArray):
        ds = ds.to_dataset(name=ds.name if ds.name is not None else "data")
    try:
        hash(dim)
    except TypeError:
        raise ValueError(f"dim: must be a dimension name (got {_checks.shown(dim)})") from None
    order = _check_order(order, ties=_check_ties(ties))
    delays, scalar_delay = _check_delays(delay)
    names = [
        name
        for name, variable in ds.data_vars.items()
        if dim in variable.dims
        and (
            np.issubdtype(variable.dtype, np.integer) or np.issubdtype(variable.dtype, np.floating)
        )
    ]
    if not names:
        raise ValueError(f"dim: no numeric data variable has dimension {_checks.shown(dim)}")
    for name in names:
        values = ds[name]
        if (
            values.dtype.kind in "iu"
            and values.size
            and (
                int(values.max()) >= _checks.EXACT_INTEGER_LIMIT
                or int(values.min()) <= -_checks.EXACT_INTEGER_LIMIT
            )
        ):
            raise ValueError(
                f"ds: variable {name!r} holds integers beyond ±2**53, which float64 rounds"
            )
    needed = (order - 1) * int(delays.max()) + 1
    if ds.sizes[dim] < needed:
        raise ValueError(
            f"dim: {_checks.shown(dim)} has length {ds.sizes[dim]} < (order-1)*delay+1 = {needed}"
        )
    delay_text = str(int(delays[0])) if scalar_delay else "see delay coordinate"
    output = {}
    for name in names:
        variable = ds[name]
        label = variable.attrs.get("long_name", name)
        entropy, complexity, regime, tied = xr.apply_ufunc(
            _summary_kernel,
            variable,
            kwargs={"order": order, "delays": delays, "ties": ties, "seed": seed},
            input_core_dims=[[dim]],
            output_core_dims=[["delay"], ["delay"], ["delay"], ["delay"]],
            dask="parallelized",
            output_dtypes=[np.float64, np.float64, np.int8, np.float64],
            dask_gufunc_kwargs={"output_sizes": {"delay": delays.size}},
        )
        suffix = f"(order {order}, delay {delay_text}, along {dim})"
        outputs = {
            "permutation_entropy": (
                entropy,
                {"units": "1", "long_name": f"normalized permutation entropy of {label} {suffix}"},
            ),
            "statistical_complexity": (
                complexity,
                {
                    "units": "1",
                    "long_name": f"Jensen-Shannon statistical complexity of {label} {suffix}",
                },
            ),
        }
        outputs["tie_fraction"] = (
            tied,
            {
                "units": "1",
                "long_name": f"share of ordinal windows of {label} holding a tie {suffix}",
                "warning_threshold": TIE_WARNING_FRACTION,
            },
        )
        if order >= 4:
            outputs["regime"] = (
                regime,
                {
                    "units": "1",
                    "long_name": f"PECCARY regime of {label} {suffix}",
                    **REGIME_FLAGS,
                    "coverage_content_type": "thematicClassification",  # ACDD
                },
            )
        for suffix_name, (values, attrs) in outputs.items():
            values = values.isel(delay=0, drop=True) if scalar_delay else values
            output[f"{name}_{suffix_name}"] = values.assign_attrs(
                attrs, order=order, dim=dim, source_variable=name
            )
    result = xr.Dataset(output)
    if not scalar_delay:
        result = result.assign_coords(
            delay=(
                "delay",
                delays,
                {"units": "1", "long_name": f"embedding delay in samples of {dim}"},
            )
        )
    result.attrs.update(
        {
            "title": "Ordinal-pattern diagnostics (permutation entropy, statistical complexity)",
            "ordinal_order": order,
            "ordinal_delay": delays if not scalar_delay else int(delays[0]),
            "ordinal_dim": dim,
            "ordinal_ties": ties,
        }
    )
    return result
