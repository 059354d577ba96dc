"""`entrosim analyze` for Klein–Gordon runs: field entropies over time and the collision outcome."""

from __future__ import annotations

import numpy as np
import xarray as xr

from sims.core.output import NAN_MEANING, QUALITY_INFORMATION
from sims.kleingordon import diagnostics

RENYI_TSALLIS_ORDER = 2.0
PERMUTATION_ORDER = 4


def analyze_run(dataset: xr.Dataset) -> xr.Dataset:
    """Entropies of one run (or of a merged dataset, reduced over ``x`` and ``time`` only).

    Returns
    -------
    xarray.Dataset
        ``shannon_entropy``, ``renyi_entropy``, ``tsallis_entropy`` of the normalised energy
        density (differential, per snapshot), ``spectral_entropy`` of |φ̂_k|² (normalised),
        ``permutation_entropy`` of each probe series (order 4, normalised), and
        ``energy_error`` max |E − E₀|/|E₀|.
    """
    spacing = float(dataset.x[1] - dataset.x[0])
    density = dataset.energy_density.clip(min=0.0)
    values = diagnostics.density_entropies(density.values, spacing, (RENYI_TSALLIS_ORDER,))
    dims = density.dims[:-1]
    order = f"{RENYI_TSALLIS_ORDER:g}"
    energy = dataset.energy
    initial = energy.isel(time=0)
    result = xr.Dataset(
        {
            "shannon_entropy": (
                dims,
                values["shannon"],
                {"units": "nat", "long_name": "differential Shannon entropy of e(x)/E"},
            ),
            "renyi_entropy": (
                dims,
                values[f"renyi_{order}"],
                {"units": "nat", "long_name": f"differential Rényi entropy (α={order}) of e(x)/E"},
            ),
            "tsallis_entropy": (
                dims,
                values[f"tsallis_{order}"],
                {"units": "1", "long_name": f"differential Tsallis entropy (q={order}) of e(x)/E"},
            ),
            "spectral_entropy": (
                dims,
                diagnostics.spectral_entropy(dataset.phi.values),
                {"units": "1", "long_name": "normalised spectral entropy of |φ̂_k|²"},
            ),
            "permutation_entropy": (
                [d for d in dataset.probe_phi.dims if d != "time"],
                diagnostics.permutation_entropy(
                    np.moveaxis(dataset.probe_phi.values, dataset.probe_phi.dims.index("time"), -1),
                    order=PERMUTATION_ORDER,
                ),
                {"units": "1", "long_name": "normalised permutation entropy of φ(x₀, t), order 4"},
            ),
            "energy_error": (
                energy.max("time").dims,
                (np.abs(energy - initial).max("time") / np.abs(initial.where(initial != 0))).values,
                {"units": "1", "long_name": "max |E - E0| / |E0|", NAN_MEANING: "E0 = 0"}
                | QUALITY_INFORMATION,
            ),
        },
        coords={k: v for k, v in density.coords.items() if "x" not in v.dims},
    )
    return result
