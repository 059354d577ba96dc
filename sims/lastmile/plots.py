"""The standard last-mile figure: normalised entropy, entropy vs distance, consolidation."""

from __future__ import annotations

import numpy as np
import xarray as xr


def plot_run(dataset: xr.Dataset):
    """Four panels: η_B per city, ln W vs distance with the fits, ln W vs N·H, city entropies.

    Parameters
    ----------
    dataset : xarray.Dataset
        One last-mile run (``entrosim run`` output).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 2, figsize=(12, 8.5), layout="constrained")
    labels = dataset.route_city.values.astype(str)
    cities = list(dict.fromkeys(labels))
    eta_axes, scaling_axes, duality_axes, system_axes = axes.ravel()

    eta_axes.boxplot([dataset.eta_boltzmann.values[labels == c] for c in cities])
    eta_axes.set_xticks(range(1, len(cities) + 1), cities, rotation=20)
    eta_axes.set(
        ylabel="ln W / ln W_max", title=f"normalised entropy ({dataset.attrs['cells']} cells)"
    )

    units = dataset.route_distance.attrs["units"]
    for city in cities:
        chosen = labels == city
        points = scaling_axes.scatter(
            dataset.ln_w.values[chosen], dataset.route_distance.values[chosen], s=6, alpha=0.5
        )
        fit = dataset.sel(fit_group=city)
        if np.isfinite(float(fit.scaling_exponent)):
            grid = np.geomspace(
                dataset.ln_w.values[chosen].min(), dataset.ln_w.values[chosen].max()
            )
            scaling_axes.plot(
                grid,
                float(fit.scaling_prefactor) * grid ** float(fit.scaling_exponent),
                color=points.get_facecolor()[0],
                label=f"{city}: b = {float(fit.scaling_exponent):.2f}",
            )
    scaling_axes.set(
        xscale="log",
        yscale="log",
        xlabel="ln W (nat)",
        ylabel=f"route length ({units})",
        title="entropy vs distance (log-log OLS)",
    )
    if scaling_axes.get_legend_handles_labels()[0]:
        scaling_axes.legend(fontsize="small")

    duality_axes.scatter(dataset.n_events, dataset.ln_w, s=6, label="ln W")
    duality_axes.scatter(dataset.n_events, dataset.n_times_h, s=6, label="N H (upper bound)")
    duality_axes.scatter(dataset.n_events, dataset.ln_w_lower, s=6, label="lower bound")
    duality_axes.set(xlabel="delivery events N", ylabel="nat", title="Shannon duality")
    duality_axes.legend(fontsize="small")

    names = ["s_baseline_daily", "s_baseline", "s_carrier", "s_customer", "s_system"]
    width = 0.8 / len(names)
    positions = np.arange(dataset.sizes["city"])
    for k, name in enumerate(names):
        system_axes.bar(
            positions + k * width,
            dataset[name] / dataset.s_baseline_daily,
            width,
            label=name.removeprefix("s_"),
        )
    system_axes.axhline(1.0, color="k", lw=0.8)
    system_axes.set_xticks(positions + 0.4 - width / 2, dataset.city.values, rotation=20)
    system_axes.set(ylabel="entropy / unconsolidated carrier entropy", title="consolidation")
    system_axes.legend(fontsize="small")
    figure.suptitle(dataset.attrs.get("title", "last-mile entropy"))
    return figure
