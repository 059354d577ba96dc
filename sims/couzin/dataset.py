"""Assemble a Couzin run's records into an xarray Dataset with units on everything."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from sims.couzin import entropies
from sims.couzin.observe import SCALARS

COMPONENTS = ("x", "y", "z")


def _entropy_variables(records, prefix, kind):
    variables = {}
    for name in entropies.NAMES:
        key = f"{prefix}{name}"
        variables[key] = (
            ("time",),
            np.array([r[key] for r in records], dtype=float),
            {"units": "1", "long_name": f"{entropies.LONG_NAMES[name]}, {kind}"},
        )
    return variables


def assemble(params, records: list[dict[str, Any]]) -> xr.Dataset:
    """Time series of the observables, position/heading snapshots and the run's constants.

    Parameters
    ----------
    params : CouzinParams
        The run's parameters.
    records : list of dict
        The observations (:meth:`CouzinModel.observe`).
    """
    steps = np.array([r["step"] for r in records], dtype=np.int64)
    snapshots = [r for r in records if "positions" in r]
    variables = {
        name: (("time",), np.array([r[name] for r in records]), {"units": u, "long_name": ln})
        for name, (u, ln) in SCALARS.items()
    }
    variables["centre"] = (
        ("time", "component"),
        np.stack([r["centre"] for r in records]),
        {"units": "BL", "long_name": "centre of mass (minimum-image in a periodic box)"},
    )
    variables["perceived_pairs"] = (
        ("time",),
        np.array([r["perceived_pairs"] for r in records], dtype=np.int64),
        {"units": "1", "long_name": "perceived (ordered) neighbour pairs summed over the steps"},
    )
    if "osi" in records[0]:
        variables |= _entropy_variables(records, "entropy_", "corrected")
        variables["osi"] = (
            ("time",),
            np.array([r["osi"] for r in records]),
            {"units": "1", "long_name": "Oceanic Schooling Index (corrected entropies)"},
        )
    if "osi_reference" in records[0]:
        variables |= _entropy_variables(records, "reference_entropy_", "as in dewi-kadita")
        variables["osi_reference"] = (
            ("time",),
            np.array([r["osi_reference"] for r in records]),
            {"units": "1", "long_name": "Oceanic Schooling Index as written in dewi-kadita"},
        )
    shape = (0, params.n_agents, 3)
    variables["positions"] = (
        ("snapshot_time", "agent", "component"),
        np.stack([r["positions"] for r in snapshots]) if snapshots else np.empty(shape),
        {"units": "BL", "long_name": "agent positions"},
    )
    variables["headings"] = (
        ("snapshot_time", "agent", "component"),
        np.stack([r["headings"] for r in snapshots]) if snapshots else np.empty(shape),
        {"units": "1", "long_name": "unit headings (velocity / speed)"},
    )
    dt = params.time_step
    coordinates = {
        "time": ("time", steps * dt, {"units": "s", "long_name": "time"}),
        "step": ("time", steps, {"units": "1", "long_name": "time steps"}),
        "snapshot_time": (
            "snapshot_time",
            np.array([r["step"] for r in snapshots], dtype=np.int64) * dt,
            {"units": "s", "long_name": "time of the snapshots"},
        ),
        "agent": ("agent", np.arange(params.n_agents), {"units": "1", "long_name": "agent"}),
        "component": ("component", list(COMPONENTS), {"units": "1", "long_name": "axis"}),
    }
    attrs = {
        "model": "Couzin et al. (2002) zone model, 3-D",
        "boundary": params.boundary,
        "neighbour_search": params.search,
        "perception_radius": params.perception_radius,
        "length_unit": "BL = body length",
        "noise_model": "desired direction rotated by a wrapped Gaussian (sd noise per step), "
        "then heading turned toward it by at most turning_rate * time_step",
        "osi_weights": " ".join(f"{k}={w}" for k, w in entropies.OSI_WEIGHTS.items()),
    }
    return xr.Dataset(variables, coords=coordinates, attrs=attrs)
