"""The standard hard-disc figure: S_B(t) for every Δv, its collapse in t·Δv, and snapshots."""

from __future__ import annotations

import numpy as np
import xarray as xr

from sims.harddisc.ensemble import MEMBER, entropy_rise


def plot_run(dataset: xr.Dataset):
    """S_B/N against t and against t·Δv, event counts and |Ψ₆|; if stored, discs and speeds.

    Parameters
    ----------
    dataset : xarray.Dataset
        One hard-disc run (``entrosim run`` output), or merged runs (averaged over members).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if MEMBER in dataset.dims:
        dataset = dataset.mean(MEMBER, keep_attrs=True)
    has_particles = "position" in dataset
    figure = plt.figure(figsize=(13, 7.5 if has_particles else 3.8), layout="constrained")
    grid = figure.add_gridspec(2 if has_particles else 1, 3)
    entropy_axes = figure.add_subplot(grid[0, 0])
    collapse_axes = figure.add_subplot(grid[0, 1])
    count_axes = figure.add_subplot(grid[0, 2])
    expansion = dataset.attrs.get("partition") == "removed at t=0"
    time = dataset.time.values
    rise = entropy_rise(dataset) if expansion else None
    for side in dataset.delta_v.values:
        label = f"Δv={side:g}"
        entropy_axes.plot(
            time, dataset.boltzmann_entropy_per_particle.sel(delta_v=side), label=label
        )
        if expansion:
            collapse_axes.plot(time * side, rise.sel(delta_v=side), label=label)
        else:
            collapse_axes.plot(time, dataset.velocity_entropy_per_particle.sel(delta_v=side))
    for name, style in (("ideal_gas_entropy_initial", ":"), ("ideal_gas_entropy_final", "--")):
        entropy_axes.axhline(float(dataset[name]), color="gray", linestyle=style, linewidth=1)
    entropy_axes.set(xlabel="t", ylabel="S_B / N  (k_B)", title="Boltzmann entropy per disc")
    entropy_axes.legend(fontsize="small")
    if expansion:
        collapse_axes.axhline(1.0, color="gray", linestyle="--", linewidth=1)
        collapse_axes.set(
            xlabel="t·Δv", ylabel="(S_B − S_B(0)) / (N ln 2)", title="collapse in t·Δv"
        )
    else:
        collapse_axes.set(xlabel="t", ylabel="S_v / N  (k_B)", title="velocity-marginal entropy")
    for name in ("collisions", "wall_collisions", "cell_crossings"):
        if int(dataset[name][-1]) > 0:
            count_axes.plot(time[1:], dataset[name][1:], label=name.replace("_", " "))
    count_axes.set(xlabel="t", ylabel="events since t=0", yscale="log", title="events and order")
    count_axes.legend(fontsize="small", loc="upper left")
    if "bond_order" in dataset:  # files written before it was recorded have none
        order_axes = count_axes.twinx()
        order_axes.plot(time, dataset.bond_order, color="purple", linewidth=1)
        order_axes.set(ylim=(0, 1.02), ylabel="bond order |Ψ₆| (purple)")
    if has_particles:
        width, height = dataset.attrs["box_width"], dataset.attrs["box_height"]
        last = dataset.sizes["time"] - 1
        for column, index in enumerate((0, last // 4)):
            axes = figure.add_subplot(grid[1, column])
            snapshot = dataset.position.isel(time=index).values
            axes.scatter(snapshot[:, 0], snapshot[:, 1], s=1.0, color="k")
            axes.set(
                xlim=(0, width), ylim=(0, height), aspect="equal", xticks=[], yticks=[],
                title=f"discs at t={time[index]:.3g}",
            )  # fmt: skip
        temperature = float(dataset.kinetic_energy[0]) / float(dataset.attrs["n_discs"])
        speed_axes = figure.add_subplot(grid[1, 2])
        speed_histogram(
            speed_axes, dataset.velocity.isel(time=last).values, temperature,
            float(dataset.attrs["mass"]),
        )  # fmt: skip
        speed_axes.set(title=f"speeds at t={time[last]:.3g}")
    figure.suptitle(dataset.attrs.get("title", "hard-disc gas"))
    return figure


def speed_histogram(axes, velocity: np.ndarray, temperature: float, mass: float, bins: int = 40):
    """Histogram of the speeds against the 2D Maxwell density (v/s²) exp(−v²/2s²), s = √(T/m)."""
    speeds = np.hypot(velocity[..., 0], velocity[..., 1]).ravel()
    axes.hist(speeds, bins=bins, density=True, alpha=0.5, label="discs")
    grid = np.linspace(0.0, speeds.max(), 200)
    scale_squared = temperature / mass
    axes.plot(
        grid, grid / scale_squared * np.exp(-(grid**2) / (2 * scale_squared)), label="Maxwell"
    )
    axes.set(xlabel="speed", ylabel="density")
    axes.legend(fontsize="small")
    return axes
