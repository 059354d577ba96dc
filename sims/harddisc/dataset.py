"""Assemble a hard-disc run's observations into a dataset with units on every variable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from sims.core.output import NAN_MEANING, REFERENCE_INFORMATION
from sims.harddisc import diagnostics

if TYPE_CHECKING:
    from sims.harddisc.model import HardDiscModel

ENTROPY = "k_B"
FIRST_RECORD = "first record: no interval to average over yet"
ENTROPY_PER_PARTICLE = "k_B/particle"


def assemble(model: HardDiscModel, records: list[dict[str, Any]]) -> xr.Dataset:
    """The run's dataset: entropies over (time, delta_v), conserved quantities, event counts.

    Pressures are averages over the interval ending at each record (NaN at the first): the
    collision-virial pressure P = [N T + ΔW/(2Δt)] / A with W = Σ r_ij·J_i and T = E_kin/N, and
    the wall pressure ΔJ_wall / (Δt × perimeter reachable by disc centres) (reflecting walls).
    """
    params = model.params
    count = params.n_discs
    steps = np.array([r["step"] for r in records], dtype=np.int64)
    time = steps * params.time_quantum

    def stacked(key):
        return np.stack([r[key] for r in records])  # lazy snapshots stay lazy

    energy = stacked("kinetic_energy")
    temperature = float(energy[0]) / count
    area = float(np.prod(model.box))
    reachable = model.box - (0.0 if model.periodic else params.diameter)
    interval = np.diff(time, prepend=np.nan)
    virial_rate = np.diff(stacked("virial"), prepend=np.nan) / interval
    wall_rate = np.diff(stacked("wall_impulse"), prepend=np.nan) / interval
    pressure = (energy + 0.5 * virial_rate) / area
    wall_pressure = wall_rate / (2.0 * reachable.sum()) if not model.periodic else None
    per_particle = f"per disc ({count})"
    along = ("time", "delta_v")
    variables = {
        "boltzmann_entropy": (
            along,
            stacked("boltzmann"),
            {
                "units": ENTROPY,
                "long_name": "Boltzmann entropy S_B = Σ [n ln(Δx²Δv²) − ln n!] of the one-particle "
                "cells (exact, lgamma)",
            },
        ),
        "h_function_entropy": (
            along,
            stacked("h_function"),
            {"units": ENTROPY, "long_name": "H-function (Stirling) form −Σ n ln(n/|Δ|) + N"},
        ),
        "velocity_entropy": (
            along,
            stacked("velocity_boltzmann"),
            {"units": ENTROPY, "long_name": "Boltzmann entropy of the velocity marginal (Δv²)"},
        ),
        "spatial_entropy": (
            ("time",),
            stacked("spatial_boltzmann"),
            {"units": ENTROPY, "long_name": "Boltzmann entropy of the spatial marginal (Δx²)"},
        ),
        "kinetic_energy": (
            ("time",),
            energy,
            {"units": "energy", "long_name": "total kinetic energy"},
        ),
        "momentum": (
            ("time", "component"),
            stacked("momentum"),
            {"units": "mass length/time", "long_name": "total momentum"},
        ),
        "collisions": (
            ("time",),
            stacked("collisions"),
            {"units": "1", "long_name": "disc-disc collisions since t=0"},
        ),
        "wall_collisions": (
            ("time",),
            stacked("wall_collisions"),
            {"units": "1", "long_name": "wall reflections since t=0"},
        ),
        "cell_crossings": (
            ("time",),
            stacked("cell_crossings"),
            {"units": "1", "long_name": "neighbour-cell crossings since t=0"},
        ),
        "virial": (
            ("time",),
            stacked("virial"),
            {"units": "mass length2/time", "long_name": "collision virial Σ r_ij·J_i since t=0"},
        ),
        "pressure": (
            ("time",),
            pressure,
            {
                "units": "energy/length2",
                "long_name": "virial pressure over the last interval",
                NAN_MEANING: FIRST_RECORD,
            },
        ),
        "right_fraction": (
            ("time",),
            stacked("right_fraction"),
            {"units": "1", "long_name": "fraction of discs in the right half of the box"},
        ),
        "bond_order": (
            ("time",),
            stacked("bond_order"),
            {
                "units": "1",
                "long_name": "global bond-orientational order |Ψ6| = |<ψ6(j)>|, neighbours closer "
                f"than {params.bond_order_cutoff:.6g} (1 on a triangular lattice, O(N^-1/2) "
                "in a liquid)",
            },
        ),
        "ideal_gas_entropy_initial": (
            (),
            diagnostics.ideal_gas_entropy_per_particle(
                params.initial_area, count, temperature, params.mass
            ),
            {
                "units": ENTROPY_PER_PARTICLE,
                "long_name": "ideal-gas S/N in the initial area A0 at the run's T",
                **REFERENCE_INFORMATION,
            },
        ),
        "ideal_gas_entropy_final": (
            (),
            diagnostics.ideal_gas_entropy_per_particle(area, count, temperature, params.mass),
            {
                "units": ENTROPY_PER_PARTICLE,
                "long_name": "ideal-gas S/N in the whole box at the run's T",
                **REFERENCE_INFORMATION,
            },
        ),
        "coarse_ideal_gas_entropy_initial": (
            ("delta_v",),
            diagnostics.coarse_ideal_gas_entropy_per_particle(
                params.initial_area, count, temperature, params.mass, params.delta_v
            ),
            {
                "units": ENTROPY_PER_PARTICLE,
                "long_name": "H-form S/N of the coarse-grained equilibrium in A0",
                **REFERENCE_INFORMATION,
            },
        ),
        "coarse_ideal_gas_entropy_final": (
            ("delta_v",),
            diagnostics.coarse_ideal_gas_entropy_per_particle(
                area, count, temperature, params.mass, params.delta_v
            ),
            {
                "units": ENTROPY_PER_PARTICLE,
                "long_name": "H-form S/N of the coarse-grained equilibrium in the whole box",
                **REFERENCE_INFORMATION,
            },
        ),
    }
    for name in ("boltzmann_entropy", "h_function_entropy", "velocity_entropy", "spatial_entropy"):
        dims, values, attrs = variables[name]
        variables[f"{name}_per_particle"] = (
            dims,
            values / count,
            {"units": ENTROPY_PER_PARTICLE, "long_name": f"{attrs['long_name']}, {per_particle}"},
        )
    if wall_pressure is not None:
        variables["wall_pressure"] = (
            ("time",),
            wall_pressure,
            {
                "units": "energy/length2",
                "long_name": "wall impulse per time and reachable length",
                NAN_MEANING: FIRST_RECORD,
            },
        )
    if params.store_particles:
        variables["position"] = (
            ("time", "disc", "component"),
            stacked("position"),
            {"units": "length", "long_name": "disc centre"},
        )
        variables["velocity"] = (
            ("time", "disc", "component"),
            stacked("velocity"),
            {"units": "velocity", "long_name": "disc velocity"},
        )
    coordinates = {
        "time": ("time", time, {"units": "time", "long_name": "model time since the partition"}),
        "step": ("time", steps, {"units": "1", "long_name": "framework steps (time quanta)"}),
        "delta_v": (
            "delta_v",
            np.asarray(params.delta_v, dtype=np.float64),
            {"units": "velocity", "long_name": "velocity cell side Δv"},
        ),
        "component": ("component", ["x", "y"], {"units": "1", "long_name": "vector component"}),
    }
    width, height = model.box
    attrs = {
        "n_discs": np.int64(count),
        "mass": params.mass,
        "box_width": width,
        "box_height": height,
        "delta_x": params.delta_x,
        "spatial_cells_x": np.int64(params.spatial_grid[0]),
        "spatial_cells_y": np.int64(params.spatial_grid[1]),
        "neighbour_cells": f"{model.cells[0]} x {model.cells[1]}",
        "boundary": params.boundary,
        "partition": "removed at t=0" if params.partition else "none",
        "equilibration_time": params.equilibration_time,
        "placement": (
            params.triangular_fit().describe(count)
            if params.placement == "triangular"
            else "random sequential addition"
        ),
        "units_note": "length σ, mass m, energy k_B T of the parameters; time σ√(m/k_B T)",
        "phase_space_cell": "Δx² Δv², velocity grid floor(v/Δv); measure dx dv",
    }
    return xr.Dataset(variables, coords=coordinates, attrs=attrs)
