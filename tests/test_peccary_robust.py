"""PECCARY runs: robust_classification, determinism_p_value and the disagreement marks."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

from analysis import ordinal  # noqa: E402
from sims.core.rng import member_seed_sequence  # noqa: E402
from sims.peccary import plots, workflow  # noqa: E402
from sims.peccary.model import PeccaryModel, PeccaryParams  # noqa: E402

SERIES = {
    "sine": {"kind": "sine", "period": 37.3},
    "logistic": {"kind": "logistic", "growth_rate": 4.0, "initial": 0.1234, "transient": 1000},
    "white": {"kind": "white_noise"},
}
ROOT_SEED, MEMBER = 11, 0


def run_dataset(surrogates=19, alpha=0.1, series=SERIES):
    params = PeccaryParams(
        samples=10_000,
        max_delay=2,
        series=series,
        robust_surrogates=surrogates,
        robust_alpha=alpha,
    )
    model = PeccaryModel(params, member_seed_sequence(ROOT_SEED, MEMBER))
    model.advance(params.samples)
    dataset = model.to_dataset([model.observe()])
    dataset.attrs.update(root_seed=ROOT_SEED, member=MEMBER)  # as the run file has them
    return dataset


@pytest.fixture(scope="module")
def dataset():
    return run_dataset()


def test_robust_variables_are_per_series_with_regime_flags(dataset):
    codes = dataset.robust_classification
    assert codes.dims == ("series",) and codes.dtype == np.int8
    assert list(codes.attrs["flag_values"]) == list(workflow.REGIME_FLAGS["flag_values"])
    assert codes.attrs["flag_meanings"] == workflow.REGIME_FLAGS["flag_meanings"]
    names = dict(zip(dataset.series.values, ordinal.regime_names(codes).values, strict=True))
    assert names["sine"] == "regular"
    # The logistic map at r = 4: its entropy at delay 1 lies ~10³ robust scales below its
    # surrogates' (measured on 10 seeds), far from any threshold.
    assert names["logistic"] == "complex"
    p = dict(zip(dataset.series.values, dataset.determinism_p_value.values, strict=True))
    assert np.isnan(p["sine"])  # periodic: not tested
    assert p["logistic"] == 1 / 20  # the smallest p-value with 19 surrogates
    assert 0 < p["white"] <= 1 and (20 * p["white"]) % 1 == 0  # a multiple of 1/(S+1)
    assert dataset.attrs["robust_surrogates"] == 19 and dataset.attrs["robust_alpha"] == 0.1


def test_analyze_reproduces_the_run_bitwise(dataset):
    again = workflow.analyze_dataset(dataset)
    for name in ("robust_classification", "determinism_p_value"):
        np.testing.assert_array_equal(again[name].values, dataset[name].values)


def test_no_surrogates_switches_the_test_off():
    dataset = run_dataset(surrogates=0)
    assert np.all(dataset.robust_classification.values == ordinal.UNDEFINED_CODE)
    assert np.all(np.isnan(dataset.determinism_p_value.values))


def test_too_few_or_too_many_surrogates_are_refused():
    with pytest.raises(ValueError, match="robust_surrogates"):
        PeccaryParams(series=SERIES, robust_surrogates=10, robust_alpha=0.05)
    with pytest.raises(ValueError, match="robust_surrogates.*GiB"):
        PeccaryParams(series=SERIES, samples=10**7, robust_surrogates=99)


def test_plot_rings_the_series_whose_classifications_differ():
    # Four series: agree, differ, differ, robust undefined (not ringed).
    dataset = xr.Dataset(
        {
            "peccary_classification": ("series", np.array([0, 1, 2, 2], dtype=np.int8)),
            "robust_classification": ("series", np.array([0, 2, 1, -1], dtype=np.int8)),
            "peccary_entropy": ("series", [0.3, 0.8, 0.95, 0.9]),
            "peccary_complexity": ("series", [0.2, 0.35, 0.1, 0.15]),
        }
    )
    np.testing.assert_array_equal(plots.disagreements(dataset), [False, True, True, False])
    import matplotlib.pyplot as plt

    figure, plane = plt.subplots()
    assert plots.mark_disagreements(plane, dataset) == 2
    (rings,) = plane.collections
    np.testing.assert_array_equal(rings.get_offsets(), [[0.8, 0.35], [0.95, 0.1]])
    plt.close(figure)


def test_a_series_surrogate_stream_is_its_own():
    """The stream is keyed by the series label: white noise with other series, alone, or listed
    first next to another block gets the same surrogates, hence the same p-value (with 199
    surrogates, two different streams would agree by chance with probability about 1/200)."""
    with_others = run_dataset(surrogates=199)
    alone = run_dataset(surrogates=199, series={"white": SERIES["white"]})
    shuffled = run_dataset(
        surrogates=199, series={"white": SERIES["white"], "robust": {"kind": "white_noise"}}
    )
    expected = with_others.determinism_p_value.sel(series="white").item()
    for other in (alone, shuffled):
        assert other.determinism_p_value.sel(series="white").item() == expected
    assert 0.0 < expected < 1.0 and np.isfinite(expected)
