"""Assemble a Klein–Gordon run's records into an xarray Dataset with units on everything."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from sims.core.output import NAN_MEANING
from sims.kleingordon.modes import EMPTY_FRACTION


def assemble(model, records: list[dict[str, Any]]) -> xr.Dataset:
    """Time series, probe series, mode occupations and field snapshots of one run.

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
        "mode_occupation": (
            ("time", "wavenumber"),
            np.stack([r["mode_occupation"] for r in records]),
            {
                "units": "energy time",
                "long_name": "occupation n_k = (|π̃_k|² + ω_k²|φ̃_k|²)/(2 ω_k L) of each real "
                "degree of freedom of wavenumber k, about the vacuum",
                NAN_MEANING: "ω_k = 0: the zero mode of a massless field is not an oscillator",
            },
        ),
        "free_energy": (
            ("time",),
            series("free_energy"),
            {"units": "energy", "long_name": "quadratic energy about the vacuum, Σ g_k ω_k n_k"},
        ),
        "mode_entropy": (
            ("time",),
            series("mode_entropy"),
            {
                "units": "nat",
                "long_name": "classical entropy of the occupations Σ g_k ln n_k, empty modes at "
                f"the floor n_k = {EMPTY_FRACTION:g} E/ω_k",
                NAN_MEANING: "the field is exactly its vacuum: every mode is empty",
            },
        ),
        "empty_modes": (
            ("time",),
            series("empty_modes").astype(np.int64),
            {
                "units": "1",
                "long_name": f"real degrees of freedom holding less than {EMPTY_FRACTION:g} of "
                "the total energy",
            },
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
        "wavenumber": (
            "wavenumber",
            model.wavenumber,
            {"units": "1/length", "long_name": "wavenumber k = 2πn/L of the modes, k >= 0"},
        ),
        "mode_frequency": (
            "wavenumber",
            model.mode_frequency,
            {"units": "1/time", "long_name": "mode frequency ω_k = √(k² + V''(φ_v))"},
        ),
        "mode_degeneracy": (
            "wavenumber",
            model.mode_degeneracy.astype(np.int64),
            {"units": "1", "long_name": "real degrees of freedom g_k of wavenumber ±k"},
        ),
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
        "mode_vacuum": model.mode_vacuum,
        "mode_empty_fraction": EMPTY_FRACTION,
    }
    if params.initial.kind == "file":
        attrs["initial_file"] = params.initial.path
        attrs["initial_file_sha256"] = params.initial.sha256
    return xr.Dataset(variables, coords=coordinates, attrs=attrs)
