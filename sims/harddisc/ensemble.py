"""`entrosim analyze` for hard-disc runs: entropy rise against N ln 2, ensemble mean and spread."""

from __future__ import annotations

import numpy as np
import xarray as xr

from sims.core.output import QUALITY_INFORMATION

MEMBER = "member"


def entropy_rise(dataset: xr.Dataset, name: str = "boltzmann_entropy") -> xr.DataArray:
    """(S(t) − S(0)) / (N ln 2) of the entropy variable ``name``: 1 is the free-expansion value."""
    entropy = dataset[name]
    # a sweep over n_discs makes it a coordinate (merged files drop conflicting attributes)
    count = dataset["n_discs"] if "n_discs" in dataset.coords else float(dataset.attrs["n_discs"])
    rise = (entropy - entropy.isel(time=0)) / (count * np.log(2.0))
    rise.attrs.update(units="1", long_name=f"({name}(t) − {name}(0)) / (N ln 2)")
    return rise


def analyze_run(dataset: xr.Dataset) -> xr.Dataset:
    """Entropy rise in units of N ln 2 (S_B and H form) and, for merged runs, its ensemble stats.

    Parameters
    ----------
    dataset : xarray.Dataset
        One run, or several merged by ``entrosim merge`` (with a ``member`` dimension).

    Returns
    -------
    xarray.Dataset
        ``boltzmann_rise`` and ``h_function_rise`` over (…, time, delta_v); with members also
        ``boltzmann_rise_mean`` and ``boltzmann_rise_std`` (sample standard deviation, ddof=1)
        and ``boltzmann_entropy_per_particle_mean`` / ``_std`` over the ensemble, and
        ``energy_error``, max |E − E₀| / E₀.
    """
    rise = entropy_rise(dataset)
    energy = dataset.kinetic_energy
    error = np.abs(energy - energy.isel(time=0)).max("time") / energy.isel(time=0)
    error.attrs.update(units="1", long_name="max |E − E0| / E0", **QUALITY_INFORMATION)
    result = xr.Dataset(
        {
            "boltzmann_rise": rise,
            "h_function_rise": entropy_rise(dataset, "h_function_entropy"),
            "energy_error": error,
        }
    )
    if MEMBER in dataset.dims and dataset.sizes[MEMBER] > 1:
        per_particle = dataset.boltzmann_entropy_per_particle
        for label, values in (
            ("boltzmann_rise", rise),
            ("boltzmann_entropy_per_particle", per_particle),
        ):
            mean = values.mean(MEMBER)
            spread = values.std(MEMBER, ddof=1)
            mean.attrs.update(values.attrs, long_name=f"ensemble mean of {label}")
            spread.attrs.update(values.attrs, long_name=f"ensemble standard deviation of {label}")
            result[f"{label}_mean"] = mean
            result[f"{label}_std"] = spread
    return result
