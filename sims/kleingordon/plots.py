"""Space–time diagram of a Klein–Gordon run, its energy error, probes and mode occupations."""

from __future__ import annotations

import numpy as np
import xarray as xr


def plot_run(dataset: xr.Dataset):
    """φ(x, t), the relative energy error, the probes, and the occupations n_k with their entropy.

    Parameters
    ----------
    dataset : xarray.Dataset
        One Klein–Gordon run (``entrosim run`` output). The mode panels are drawn when it holds
        ``mode_occupation`` (files of entrosim versions before the occupations have none).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    with_modes = "mode_occupation" in dataset
    figure = plt.figure(figsize=(16 if with_modes else 11, 6), layout="constrained")
    ratios = (1.6, 1, 1.3) if with_modes else (1.6, 1)
    grid = figure.add_gridspec(2, len(ratios), width_ratios=ratios)
    field_axes = figure.add_subplot(grid[:, 0])
    x, t = dataset.x.values, dataset.snapshot_time.values
    limit = float(np.abs(dataset.phi).max())
    image = field_axes.pcolormesh(
        x, t, dataset.phi.values, cmap="RdBu_r", vmin=-limit, vmax=limit, shading="auto"
    )
    field_axes.set(xlabel="x", ylabel="t", title=f"φ(x, t), {dataset.attrs.get('potential', '')}")
    figure.colorbar(image, ax=field_axes, label="φ")
    energy_axes = figure.add_subplot(grid[0, 1])
    energy = dataset.energy.values
    energy_axes.plot(dataset.time, np.abs(energy - energy[0]) / abs(energy[0]))
    energy_axes.set(xlabel="t", ylabel="|E − E₀| / E₀", yscale="log", title="energy error")
    probe_axes = figure.add_subplot(grid[1, 1])
    for position in dataset.probe.values:
        probe_axes.plot(
            dataset.time, dataset.probe_phi.sel(probe=position), label=f"x₀={position:g}"
        )
    probe_axes.set(xlabel="t", ylabel="φ(x₀, t)", title="probes")
    probe_axes.legend(fontsize="small")
    if with_modes:
        plot_modes(dataset, figure.add_subplot(grid[0, 2]), figure.add_subplot(grid[1, 2]))
    return figure


def occupation_image(dataset: xr.Dataset) -> np.ndarray:
    """log₁₀ n_k over (time, wavenumber), empty modes at their floor ε E/ω_k (as S counts them)."""
    fraction = float(dataset.attrs["mode_empty_fraction"])
    floor = fraction * dataset.energy.values[:, None] / dataset.mode_frequency.values[None, :]
    return np.log10(np.maximum(dataset.mode_occupation.values, floor))


def plot_modes(dataset: xr.Dataset, occupation_axes, entropy_axes) -> None:
    """The log₁₀ n_k heatmap over (k, t) and the entropy S(t) with the empty-mode count."""
    image = occupation_axes.pcolormesh(
        dataset.wavenumber.values,
        dataset.time.values,
        occupation_image(dataset),
        cmap="magma",
        shading="auto",
    )
    occupation_axes.set(
        xlabel="k", ylabel="t", title=f"log₁₀ n_k about φ_v = {dataset.attrs['mode_vacuum']:g}"
    )
    occupation_axes.figure.colorbar(image, ax=occupation_axes, label="log₁₀ n_k")
    entropy_axes.plot(dataset.time, dataset.mode_entropy, color="C3")
    entropy_axes.set(xlabel="t", ylabel="S = Σ g_k ln n_k [nat]", title="mode entropy")
    empty_axes = entropy_axes.twinx()
    empty_axes.plot(dataset.time, dataset.empty_modes, color="C7", linewidth=0.8)
    empty_axes.set_ylabel("empty modes", color="C7")
