"""Assemble a Klein–Gordon run's records into an xarray Dataset with units on everything."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr


def assemble(model, records: list[dict[str, Any]]) -> xr.Dataset:
    """Time series, probe series and field snapshots of one run.

    Parameters
    ----------
    model : KleinGordonModel
        The model that produced ``records``.
    records : list of dict
        Its observations.
    """
    params = model.params
    steps = np.array([r["step"] for r in records], dtype=np.int64)
    snapshots = [r for r in records if "phi" in r]

    def series(key):
        return np.array([r[key] for r in records])

    def stacked(key):
        return np.stack([r[key] for r in snapshots]) if snapshots else np.empty((0, params.points))

    variables = {
        "energy": (("time",), series("energy"), {"units": "energy", "long_name": "total energy"}),
        "momentum": (
            ("time",),
            series("momentum"),
            {"units": "momentum", "long_name": "field momentum -∫ φ_t φ_x dx"},
        ),
        "kink_number": (
            ("time",),
            series("kink_number"),
            {"units": "1", "long_name": "kinks plus antikinks, ∫|φ_x| dx / vacuum gap"},
        ),
        "probe_phi": (
            ("time", "probe"),
            np.stack([r["probe"] for r in records]),
            {"units": "field", "long_name": "field at the probe positions φ(x₀, t)"},
        ),
        "phi": (("snapshot_time", "x"), stacked("phi"), {"units": "field", "long_name": "field φ"}),
        "phi_t": (
            ("snapshot_time", "x"),
            stacked("pi"),
            {"units": "field/time", "long_name": "field velocity φ_t"},
        ),
        "energy_density": (
            ("snapshot_time", "x"),
            stacked("energy_density"),
            {"units": "energy/length", "long_name": "energy density ½φ_t² + ½φ_x² + V(φ)"},
        ),
    }
    dt = params.time_step
    coordinates = {
        "time": ("time", steps * dt, {"units": "time", "long_name": "time"}),
        "step": ("time", steps, {"units": "1", "long_name": "time steps"}),
        "snapshot_time": (
            "snapshot_time",
            np.array([r["step"] for r in snapshots], dtype=np.int64) * dt,
            {"units": "time", "long_name": "time of the field snapshots"},
        ),
        "x": ("x", model.x, {"units": "length", "long_name": "position"}),
        "probe": (
            "probe",
            np.asarray(params.probes, dtype=float),
            {"units": "length", "long_name": "probe position x₀"},
        ),
    }
    attrs = {
        "equation": "phi_tt = phi_xx - dV/dphi, periodic in x, c = 1",
        "potential": params.potential,
        "time_step": dt,
        "scheme": params.scheme,
        "linear_flow": params.linear_flow,
        "dealias": int(params.dealias),
        "energy_definition": "dx * sum(pi^2/2 + V(phi)) + spectral gradient energy (Parseval)",
    }
    if params.initial.kind == "file":
        attrs["initial_file"] = params.initial.path
        attrs["initial_file_sha256"] = params.initial.sha256
    return xr.Dataset(variables, coords=coordinates, attrs=attrs)
