"""Out-of-domain input to every public function of ``analysis``.

Each public function is called with valid arguments except one, which gets a hostile value:
empty, NaN, ±inf, huge (1e308, 2**63, 10**400), tiny, wrong dtype (bool, complex, object,
strings), wrong rank (0-d, 3-d), ragged, or an arbitrary array drawn by hypothesis.  The call
must raise a one-line ``ValueError`` that starts with the name of an argument, or return a result
whose floats are finite, except for the NaN its docstring documents (checked exactly where the
documented condition is cheap to state).  Any other exception, or an undocumented NaN or ±inf,
fails.
"""

import inspect
import warnings
from dataclasses import dataclass, field

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import analysis  # noqa: F401  (registers the accessor)
from analysis import boltzmann, compression, entropy, ordinal, plots

matplotlib.use("Agg")

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

HOSTILE_VALUES = [
    # empty
    [],
    np.empty(0),
    np.empty((0, 3)),
    np.empty((3, 0)),
    "",
    # NaN and ±inf
    np.nan,
    [np.nan],
    [1.0, np.nan, 2.0],
    np.inf,
    -np.inf,
    [np.inf, 1.0, 2.0],
    [1.0, 2.0, -np.inf],
    # huge and tiny
    1e308,
    -1e308,
    [1e308, 1e308, -1e308],
    [1e308, 1.0, 1e308],
    2**63,
    [2**63, 1],
    np.array([2**63, 1], dtype=np.uint64),
    np.array([2**62, 2**62, 1], dtype=np.int64),
    np.array([-(2**63), 5], dtype=np.int64),
    10**400,
    5e-324,
    [5e-324, 0.0, 1e-320],
    # negative, fractional, boundary
    -1,
    0,
    1,
    1.5,
    [1, -2, 3],
    [0.5, 1.5, 2.5],
    [0, 0, 0],
    # wrong dtype
    True,
    [True, False, True],
    np.array([1 + 1j, 2.0]),
    1j,
    [1, None, 3],
    ["a", "b", "c"],
    "abc",
    b"xyz",
    None,
    {"a": 1},
    object(),
    np.array(["2020-01-01"], dtype="datetime64[D]"),
    # wrong rank and shape
    np.array(3.5),
    np.array(np.nan),
    np.float64(2.0),
    np.ones((2, 2, 2)),
    np.arange(24.0).reshape(2, 3, 4),
    [[1.0, 2.0], [3.0]],
    (0, 0),
    (5, -1),
]
"""Hand-picked out-of-domain (or extreme) values."""

HOSTILE = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    hnp.arrays(
        dtype=st.sampled_from(
            [np.float64, np.float32, np.int64, np.uint64, np.bool_, np.complex128]
        ),
        shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5),
    ),
    st.floats().filter(lambda number: not (number.is_integer() and 2 <= number <= 64)),
    st.integers(min_value=-(2**70), max_value=-1) | st.integers(min_value=2**31, max_value=2**70),
)
"""Hostile values: the list above, arbitrary small arrays of any dtype (elements over their whole
range, NaN and ±inf included), any float but the whole numbers 2 to 64, and integers that are
negative or too large to be a valid order or size (small whole numbers are valid orders and
sizes: order 10 would only make the CH-plane calls slow, not hostile)."""


def _as_hostile_dataarray(value):
    """Wrap an array-like hostile value in a DataArray with dims (member,) time (, x); else None."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if (array.dtype.kind == "O" and array.ndim == 0) or array.ndim > 3:
        return None
    names = {0: (), 1: ("time",), 2: ("member", "time"), 3: ("member", "time", "x")}
    return xr.DataArray(array, dims=names[array.ndim])


def _as_hostile_dataset(value):
    """The DataArray of :func:`_as_hostile_dataarray` as a one-variable Dataset; else None."""
    data = _as_hostile_dataarray(value)
    return None if data is None else data.to_dataset(name="v")


def _as_hostile_xarray_or_raw(value):
    """The DataArray of :func:`_as_hostile_dataarray` where there is one, else the raw value."""
    data = _as_hostile_dataarray(value)
    return value if data is None else data


@dataclass
class Call:
    """A public function, valid arguments, and the NaN its docstring documents."""

    function: object
    valid: dict
    documented_nan: object = None
    """None: no NaN allowed; True: NaN allowed anywhere (documented, condition not restated
    here); a callable(arguments) -> bool mask of where NaN must appear in every float output."""
    argument_names: tuple = ()
    """Argument names an error may start with, besides the function's own parameters."""
    wrap: dict = field(default_factory=dict)
    """Per-argument maps from a hostile value to the input passed (e.g. a DataArray holding it);
    a map returning None drops the value."""

    def names(self):
        return set(inspect.signature(self.function).parameters) | set(self.argument_names)

    def hostile_values(self, argument):
        """Every hand-picked hostile input for ``argument``."""
        wrap = self.wrap.get(argument, lambda value: value)
        return [wrapped for wrapped in map(wrap, HOSTILE_VALUES) if wrapped is not None]

    def hostile_strategy(self, argument):
        """Hypothesis strategy of hostile inputs for ``argument``."""
        if argument not in self.wrap:
            return HOSTILE
        return HOSTILE.map(self.wrap[argument]).filter(lambda wrapped: wrapped is not None)


def _float_leaves(result):
    """Yield every float array inside ``result`` (tuples, dicts, xarray objects)."""
    if isinstance(result, matplotlib.figure.Figure | str | bytes) or result is None:
        return
    if isinstance(result, xr.Dataset):
        for variable in result.data_vars.values():
            yield from _float_leaves(variable)
        return
    if isinstance(result, xr.DataArray):
        result = result.values
    if isinstance(result, tuple | list):
        for item in result:
            yield from _float_leaves(item)
        return
    if isinstance(result, dict):
        for item in result.values():
            yield from _float_leaves(item)
        return
    array = np.asarray(result)
    assert array.dtype.kind in "iufbU", f"unexpected result dtype {array.dtype}"
    if array.dtype.kind == "f":
        yield array


def _zero_slices(argument):
    """Documented NaN: where the weights ``argument`` along ``axis`` are all 0."""

    def expected(arguments):
        weights = np.asarray(arguments[argument], dtype=np.float64)
        return (weights == 0).all(axis=arguments["axis"])

    return expected


def _constant_slices(arguments):
    """Documented NaN of spectral_entropy: where the signal is constant over the axes."""
    signal = np.asarray(arguments["signal"], dtype=np.float64)
    axis = arguments["axis"]
    axes = tuple(range(signal.ndim)) if axis is None else axis
    axes = tuple(axes) if isinstance(axes, list | tuple) else axes
    return np.max(signal, axis=axes) == np.min(signal, axis=axes)


def check_call(call, data):
    """Call with one hostile argument; assert a named ValueError or a finite/documented result."""
    argument = data.draw(st.sampled_from(sorted(call.valid)), label="argument")
    value = data.draw(call.hostile_strategy(argument), label="value")
    arguments = {**call.valid, argument: value}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # recommended_delay's advice
            result = call.function(**arguments)
    except ValueError as error:
        message = str(error)
        assert "\n" not in message and len(message) < 400, message
        named = message.split(":", 1)[0]
        assert named in call.names(), f"message does not start with an argument: {message}"
        return
    finally:
        plt.close("all")
    for leaf in _float_leaves(result):
        assert not np.isinf(leaf).any(), f"±inf returned for {argument}={value!r}"
        if call.documented_nan is None:
            assert not np.isnan(leaf).any(), f"undocumented NaN for {argument}={value!r}"
        elif callable(call.documented_nan):
            expected = np.broadcast_to(call.documented_nan(arguments), leaf.shape)
            np.testing.assert_array_equal(np.isnan(leaf), expected)


RNG = np.random.default_rng(20261122)
SERIES = RNG.standard_normal(24)
SINE = np.sin(2 * np.pi * np.arange(200) / 20.0)
SAMPLES = RNG.standard_normal(12)

ENTROPY_CALLS = {
    "shannon_entropy": Call(
        entropy.shannon_entropy,
        {"p": [1.0, 2.0, 3.0], "axis": -1, "base": None, "normalized": False},
        _zero_slices("p"),
    ),
    "miller_madow_entropy": Call(
        entropy.miller_madow_entropy,
        {"counts": [3, 1, 0], "axis": -1, "base": None},
        _zero_slices("counts"),
    ),
    "renyi_entropy": Call(
        entropy.renyi_entropy,
        {"p": [1.0, 2.0, 3.0], "alpha": 2.0, "axis": -1, "base": None, "normalized": False},
        _zero_slices("p"),
    ),
    "tsallis_entropy": Call(
        entropy.tsallis_entropy,
        {"p": [1.0, 2.0, 3.0], "q": 2.0, "axis": -1, "normalized": False},
        _zero_slices("p"),
    ),
    "histogram_entropy": Call(
        entropy.histogram_entropy,
        {
            "samples": SAMPLES,
            "bins": 4,
            "range": None,
            "bin_width": None,
            "differential": False,
            "correction": None,
            "base": None,
        },
    ),
    "kozachenko_leonenko_entropy": Call(
        entropy.kozachenko_leonenko_entropy, {"samples": SAMPLES, "k": 1, "base": None}
    ),
    "kde_entropy": Call(entropy.kde_entropy, {"samples": SAMPLES, "bandwidth": None, "base": None}),
    "spectral_entropy": Call(
        entropy.spectral_entropy,
        {"signal": SERIES, "axis": -1, "normalized": True, "base": None},
        _constant_slices,
    ),
}

COUNTS = [5, 3, 0, 2]
BOLTZMANN_CALLS = {
    "boltzmann_entropy": Call(
        boltzmann.boltzmann_entropy, {"counts": COUNTS, "cell_volume": 1.5, "axis": None}
    ),
    "h_function_entropy": Call(
        boltzmann.h_function_entropy, {"counts": COUNTS, "cell_volume": 1.5, "axis": None}
    ),
    "ln_multinomial": Call(boltzmann.ln_multinomial, {"counts": COUNTS, "axis": -1}),
    "ln_multinomial_max": Call(boltzmann.ln_multinomial_max, {"total": 10, "n_cells": 3}),
    "stirling_ln_multinomial": Call(
        boltzmann.stirling_ln_multinomial, {"counts": COUNTS, "axis": -1}
    ),
    "shannon_duality": Call(
        boltzmann.shannon_duality, {"counts": COUNTS, "axis": -1, "n_cells": None}
    ),
    "normalized_ln_multinomial": Call(
        boltzmann.normalized_ln_multinomial, {"counts": COUNTS, "axis": -1, "n_cells": None}
    ),
    "normalized_shannon_entropy": Call(
        boltzmann.normalized_shannon_entropy, {"counts": COUNTS, "axis": -1, "n_cells": None}
    ),
}

ORDINAL_SERIES = {"x": SERIES, "order": 3, "delay": 1, "axis": -1, "tie_tolerance": None}
GAPPED_SERIES = ORDINAL_SERIES | {"nan": "refuse"}
TIED_SERIES = ORDINAL_SERIES | {"ties": "random", "seed": 7}
TIED_GAPPED_SERIES = GAPPED_SERIES | {"ties": "own", "seed": None}
ENTROPY_OPTIONS = {"normalized": True, "base": None}
POINTS = {"entropy": [0.3, 0.9], "complexity": [0.1, 0.2], "order": 4, "ties": "stable"}
ORDINAL_CALLS = {
    "ordinal_patterns": Call(
        ordinal.ordinal_patterns,
        {"x": SERIES, "order": 3, "delay": 1, "tie_tolerance": None, "ties": "random", "seed": 3},
    ),
    "pattern_permutations": Call(ordinal.pattern_permutations, {"codes": [0, 5, 3], "order": 3}),
    "pattern_counts": Call(ordinal.pattern_counts, TIED_GAPPED_SERIES),
    "missing_patterns": Call(ordinal.missing_patterns, TIED_GAPPED_SERIES),
    "pattern_state_count": Call(ordinal.pattern_state_count, {"order": 5, "ties": "own"}),
    "ordered_bell_number": Call(ordinal.ordered_bell_number, {"order": 5}),
    "tie_fraction": Call(ordinal.tie_fraction, GAPPED_SERIES),
    "complexity_normalization": Call(ordinal.complexity_normalization, {"n_states": 6}),
    "complexity_entropy_from_counts": Call(
        ordinal.complexity_entropy_from_counts,
        {"counts": [3, 0, 1, 2, 0, 4], "axis": -1},
        _zero_slices("counts"),
    ),
    "permutation_entropy": Call(ordinal.permutation_entropy, TIED_SERIES | ENTROPY_OPTIONS),
    "complexity_entropy": Call(ordinal.complexity_entropy, TIED_SERIES),
    "weighted_permutation_entropy": Call(
        ordinal.weighted_permutation_entropy, TIED_SERIES | ENTROPY_OPTIONS, True
    ),
    "renyi_permutation_entropy": Call(
        ordinal.renyi_permutation_entropy, TIED_SERIES | ENTROPY_OPTIONS | {"alpha": 2.0}
    ),
    "tsallis_permutation_entropy": Call(
        ordinal.tsallis_permutation_entropy,
        TIED_SERIES | {"normalized": True, "q": 2.0},
    ),
    "ch_plane_bounds": Call(ordinal.ch_plane_bounds, {"order": 4, "n_points": 50, "ties": "own"}),
    "periodic_entropy_bounds": Call(ordinal.periodic_entropy_bounds, {"order": 5, "ties": "own"}),
    "peccary_boundaries": Call(ordinal.peccary_boundaries, {"order": 5, "ties": "stable"}),
    "complexity_bounds_at": Call(
        ordinal.complexity_bounds_at, {"entropy": [0.3, 0.9], "order": 4, "ties": "stable"}
    ),
    "complexity_position": Call(ordinal.complexity_position, POINTS, True),
    "classify": Call(ordinal.classify, POINTS),
    "peccary_regions": Call(ordinal.peccary_regions, POINTS),
    "peccary_region_codes": Call(ordinal.peccary_region_codes, POINTS),
    "classify_codes": Call(ordinal.classify_codes, POINTS),
    "classify_sampled": Call(ordinal.classify_sampled, POINTS | {"n_windows": [300, 10]}),
    "classify_sampled_codes": Call(
        ordinal.classify_sampled_codes, POINTS | {"n_windows": [300, 10]}
    ),
    "regime_names": Call(ordinal.regime_names, {"codes": [-1, 0, 2]}),
    "natural_timescale": Call(
        ordinal.natural_timescale, {"x": SINE, "dt": 0.1, "method": "crossings", "nan": "refuse"}
    ),
    "recommended_delay": Call(
        ordinal.recommended_delay,
        {
            "x": SINE,
            "order": 3,
            "dt": 1.0,
            "pattern_fraction": 0.4,
            "method": "crossings",
            "nan": "refuse",
        },
    ),
    "end_mismatch": Call(ordinal.end_mismatch, {"x": SERIES}),
    "end_matched_segment": Call(ordinal.end_matched_segment, {"x": SERIES, "max_trim": 0.25}),
    "iaaft_surrogates": Call(
        ordinal.iaaft_surrogates,
        {"x": SERIES, "n_surrogates": 3, "seed": 1, "max_iterations": 5},
    ),
    "repetition_period": Call(ordinal.repetition_period, {"x": SERIES}),
    "robust_delays": Call(ordinal.robust_delays, {"x": SINE, "order": 3}),
    "classify_robust": Call(
        ordinal.classify_robust,
        {
            "x": SERIES,
            "order": 3,
            "delay": [1, 2],
            "surrogates": 19,
            "alpha": 0.1,
            "seed": 2,
            "max_trim": 0.25,
            "max_iterations": 5,
        },
        True,
    ),
    "ordinal_summary": Call(
        ordinal.ordinal_summary,
        {
            "ds": xr.Dataset({"v": (("member", "time"), RNG.standard_normal((2, 40)))}),
            "dim": "time",
            "order": 3,
            "delay": 1,
            "ties": "random",
            "seed": 5,
        },
        True,
        wrap={"ds": _as_hostile_xarray_or_raw},
    ),
}

FIELD = np.arange(6, dtype=np.int16).reshape(2, 3)
COMPRESSION_CALLS = {
    "serialize": Call(compression.serialize, {"array": FIELD}),
    "compressed_size": Call(compression.compressed_size, {"array": FIELD, "compressor": "zlib"}),
    "constant_baseline": Call(
        compression.constant_baseline, {"shape": (4, 4), "dtype": np.uint8, "compressor": "bz2"}
    ),
    "excess_compressed_size": Call(
        compression.excess_compressed_size, {"array": FIELD, "compressor": "lzma"}
    ),
    "compressed_sizes": Call(compression.compressed_sizes, {"array": FIELD}),
}


ACCESSOR_CLASSES = {
    "dataarray": analysis.accessor.EntropyDataArrayAccessor,
    "dataset": analysis.accessor.EntropyDatasetAccessor,
}


def _method(qualified_name):
    """Return ``function(data, **kwargs)`` calling ``data.entropy.<method>(**kwargs)``.

    ``qualified_name`` is ``"dataarray.<method>"`` or ``"dataset.<method>"``.
    """
    kind, method = qualified_name.split(".")

    def call(data, **kwargs):
        return getattr(data.entropy, method)(**kwargs)

    parameters = inspect.signature(getattr(ACCESSOR_CLASSES[kind], method)).parameters
    call.__signature__ = inspect.Signature(
        [inspect.Parameter("data", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [parameter for name, parameter in parameters.items() if name != "self"]
    )
    return call


SERIES_DATA = xr.DataArray(RNG.standard_normal((2, 40)), dims=("member", "time"), name="x")
CELLS_DATA = xr.DataArray(RNG.integers(0, 3, (2, 4, 4)), dims=("step", "i", "j"), name="cells")
WRAPPED_ARGUMENTS = ("x", "p", "counts", "signal", "array", "shape", "dtype", "ds")
"""Arguments of the functions the accessor wraps (their errors name them)."""
ACCESSOR_CALLS = {
    "dataarray.permutation": Call(
        _method("dataarray.permutation"),
        {"data": SERIES_DATA, "dim": "time", "order": 3, "delay": 1}
        | {"normalized": True, "base": None},
        argument_names=WRAPPED_ARGUMENTS,
        wrap={"data": _as_hostile_dataarray},
    ),
    "dataarray.complexity": Call(
        _method("dataarray.complexity"),
        {"data": SERIES_DATA, "dim": "time", "order": 3, "delay": 1},
        True,
        argument_names=WRAPPED_ARGUMENTS,
        wrap={"data": _as_hostile_dataarray},
    ),
    "dataarray.shannon": Call(
        _method("dataarray.shannon"),
        {"data": CELLS_DATA, "dim": ("i", "j"), "normalized": False, "base": None},
        True,
        argument_names=WRAPPED_ARGUMENTS,
        wrap={"data": _as_hostile_dataarray},
    ),
    "dataarray.boltzmann": Call(
        _method("dataarray.boltzmann"),
        {"data": CELLS_DATA, "dim": "i", "cell_volume": 2.0},
        argument_names=WRAPPED_ARGUMENTS,
        wrap={"data": _as_hostile_dataarray},
    ),
    "dataarray.spectral": Call(
        _method("dataarray.spectral"),
        {"data": SERIES_DATA, "dim": "time", "normalized": True, "base": None},
        True,
        argument_names=WRAPPED_ARGUMENTS,
        wrap={"data": _as_hostile_dataarray},
    ),
    "dataarray.compressed_size": Call(
        _method("dataarray.compressed_size"),
        {"data": CELLS_DATA, "dims": ("i", "j"), "compressor": "zlib"},
        argument_names=WRAPPED_ARGUMENTS,
        wrap={"data": _as_hostile_dataarray},
    ),
    "dataset.ordinal_summary": Call(
        _method("dataset.ordinal_summary"),
        {"data": SERIES_DATA.to_dataset(), "dim": "time", "order": 3, "delay": 1},
        True,
        argument_names=WRAPPED_ARGUMENTS,
        wrap={"data": _as_hostile_dataset},
    ),
    "dataset.permutation": Call(
        _method("dataset.permutation"),
        {"data": SERIES_DATA.to_dataset(), "dim": "time", "order": 3, "delay": 1}
        | {"normalized": True, "base": None},
        argument_names=WRAPPED_ARGUMENTS,
        wrap={"data": _as_hostile_dataset},
    ),
}

PLOT_CALLS = {
    "plot_complexity_entropy": Call(
        plots.plot_complexity_entropy,
        {
            "entropy": [0.5, 0.9],
            "complexity": [0.2, 0.1],
            "order": 4,
            "labels": ["a", "b"],
            "ax": None,
            "regions": True,
        },
        True,
    ),
    "plot_entropy_time": Call(
        plots.plot_entropy_time,
        {
            "data": SERIES_DATA,
            "dim": "time",
            "member_dim": "member",
            "ax": None,
            "label": None,
        },
        wrap={"data": _as_hostile_xarray_or_raw},
    ),
    "plot_histogram": Call(
        plots.plot_histogram,
        {"samples": SAMPLES, "bins": 5, "ax": None, "base": None, "label": "x"},
    ),
}


MODULE_CALLS = {
    "entropy": ENTROPY_CALLS,
    "boltzmann": BOLTZMANN_CALLS,
    "ordinal": ORDINAL_CALLS,
    "compression": COMPRESSION_CALLS,
    "accessor": ACCESSOR_CALLS,
    "plots": PLOT_CALLS,
}


class _Drawn:
    """Stands in for hypothesis' ``data`` with a fixed argument and value."""

    def __init__(self, argument, value):
        self._draws = iter((argument, value))

    def draw(self, strategy, label=None):
        return next(self._draws)


@pytest.mark.parametrize("module", sorted(MODULE_CALLS))
def test_every_hand_picked_value_at_every_argument(module):
    """Deterministic sweep: each function, each argument, each value of HOSTILE_VALUES."""
    failures = []
    for name, call in MODULE_CALLS[module].items():
        for argument in call.valid:
            for value in call.hostile_values(argument):
                try:
                    check_call(call, _Drawn(argument, value))
                except AssertionError as error:
                    failures.append(f"{name}({argument}={value!r}): {error}".splitlines()[0])
                except Exception as error:  # any other exception is a failure too
                    failures.append(f"{name}({argument}={value!r}): {error!r}".splitlines()[0])
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("module", sorted(MODULE_CALLS))
@FUZZ
@given(data=st.data())
def test_hypothesis_hostile_input_per_module(module, data):
    """Property: any public function, any argument, any hostile value (all three drawn)."""
    calls = MODULE_CALLS[module]
    name = data.draw(st.sampled_from(sorted(calls)), label="function")
    check_call(calls[name], data)


@pytest.mark.parametrize(
    ("module", "calls"),
    [
        (entropy, ENTROPY_CALLS),
        (boltzmann, BOLTZMANN_CALLS),
        (ordinal, ORDINAL_CALLS),
        (compression, COMPRESSION_CALLS),
        (plots, PLOT_CALLS),
    ],
)
def test_every_public_function_is_fuzzed(module, calls):
    public = {
        name
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and not name.startswith("_")
        and value.__module__.startswith(module.__name__)
    }
    assert public == set(calls)


def test_every_accessor_method_is_fuzzed():
    public = {
        f"{kind}.{name}"
        for kind, accessor_class in ACCESSOR_CLASSES.items()
        for name, value in vars(accessor_class).items()
        if inspect.isfunction(value) and not name.startswith("_")
    }
    assert public == set(ACCESSOR_CALLS)
