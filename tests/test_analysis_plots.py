import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr

from analysis import ordinal, plots

matplotlib.use("Agg")


def test_complexity_entropy_plot():
    h, c = ordinal.complexity_entropy(np.random.default_rng(1).standard_normal((2, 3000)), 5)
    figure = plots.plot_complexity_entropy(h, c, order=5, labels=["a", "b"])
    assert isinstance(figure, matplotlib.figure.Figure)
    axes = figure.axes[0]
    assert axes.get_xlabel().startswith("normalized permutation entropy")
    texts = {t.get_text() for t in axes.texts}
    assert {"regular", "complex", "stochastic", "a", "b"} <= texts


def test_entropy_time_plot_with_band():
    data = xr.DataArray(
        np.random.default_rng(2).random((3, 50)),
        dims=("member", "time"),
        coords={"time": np.arange(50.0)},
        name="S",
        attrs={"units": "nat"},
    )
    figure = plots.plot_entropy_time(data)
    axes = figure.axes[0]
    assert len(axes.collections) == 1  # the mean ± std band
    np.testing.assert_allclose(axes.lines[0].get_ydata(), data.mean("member").values)
    with pytest.raises(ValueError, match="dim"):
        plots.plot_entropy_time(data, dim="step")


def test_entropy_time_plot_names_model_units_written_as_one():
    # as entrosim writes units UDUNITS does not know: "1", the unit at the end of the long name
    data = xr.DataArray(
        np.linspace(0.0, 1.0, 5),
        dims="time",
        coords={"time": ("time", np.arange(5.0), {"units": "1", "long_name": "time [sweep]"})},
        name="S",
        attrs={"units": "1", "long_name": "entropy [nat]"},
    )
    axes = plots.plot_entropy_time(data).axes[0]
    assert axes.get_xlabel() == "time [sweep]" and axes.get_ylabel() == "S [nat]"
    plt.close("all")


def test_histogram_plot_has_entropy_in_legend():
    figure = plots.plot_histogram(np.random.default_rng(3).normal(size=1000), bins=20, base=2)
    legend = figure.axes[0].get_legend().get_texts()[0].get_text()
    assert "H = " in legend and "bit" in legend and "20 bins" in legend


@pytest.mark.parametrize(
    ("call", "message"),
    [
        # an empty histogram was drawn with "H = nan" in its legend
        (lambda: plots.plot_histogram([]), "^samples: needs at least one"),
        (lambda: plots.plot_histogram([1.0, np.inf]), "^samples: must be finite"),
        (lambda: plots.plot_histogram([1.0, 2.0], bins=[2.0, 1.0]), "^bins: edges must"),
        (lambda: plots.plot_complexity_entropy([0.5], [0.2, 0.1], 4), "^complexity: 2 points"),
        (lambda: plots.plot_complexity_entropy([0.5], [0.2], 4, labels=5), "^labels: must be"),
        (lambda: plots.plot_complexity_entropy([0.5], [0.2], 4, ax="axes"), "^ax: must be"),
        (lambda: plots.plot_entropy_time(np.zeros(3)), "^data: must be an xarray"),
    ],
)
def test_refused_input_names_the_argument_and_leaves_no_figure(call, message):
    plt.close("all")
    with pytest.raises(ValueError, match=message):
        call()
    assert plt.get_fignums() == []
