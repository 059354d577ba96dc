"""IOOS compliance checker (CF-1.10, ACDD-1.3) on an output file of every system, a merge, analyses.

Every finding the checker reports on these files must be one of :data:`ALLOWED`, each with the
reason it stays; a new finding (a unit UDUNITS does not know, a missing attribute, an invented
standard name) fails the test, and so does an allowed finding that no file shows any more.
"""

import re
import shutil
from pathlib import Path

import cf_units
import netCDF4
import numpy as np
import pytest
import xarray as xr
from compliance_checker import runner as compliance_runner

from analysis.units import unit_name
from sims.core import registry
from sims.core.output import (
    CONTENT_TYPE,
    MODEL_UNIT_WORDS,
    THEMATIC_CLASSIFICATION,
    cf_annotated,
    netcdf_units,
)
from tests.conftest import run_cli

CHECKERS = ("cf:1.10", "acdd:1.3")
# compliance-checker 6.1 warns about its own internals (checkers we do not run, its API)
pytestmark = [
    pytest.mark.filterwarnings("ignore:The ioos_sos checker is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings(
        "ignore:Passing the dataset to every single check:DeprecationWarning"
    ),
]
CONTENT_TYPES = {  # ACDD 1.3 coverage_content_type values
    "image", "thematicClassification", "physicalMeasurement", "auxiliaryInformation",
    "qualityInformation", "referenceInformation", "modelResult", "coordinate",
}  # fmt: skip

# Each shipped scenario made small (a few records, a handful of agents, discs, routes or samples)
SMALL_RUNS = {
    "coffee/interacting": ["params.grid_size=16", "params.n_records=6", "params.grain_size=3"],
    "couzin/torus": [  # with a parameter protocol: its time series on the record axis
        "params.n_agents=20",
        "params.duration=5",
        "protocol.params.orientation_width={times: [0, 2], values: [1.0, 2.0]}",
    ],
    "harddisc/equilibrium": ["params.n_discs=100", "params.duration=6"],
    "kleingordon/phi4_kink": ["params.points=128", "params.duration=2"],
    "lastmile/baseline": [
        "params.synthetic.routes_per_city=10",
        "params.synthetic.stops_per_route=20",
    ],
    "peccary/noises": ["params.samples=3000", "params.max_delay=5"],
    "peccary/mauna_loa_co2": ["params.max_delay=5"],  # a series read from a file, with gaps
}
# A batch of two sweep points x two members, merged: sweep coordinates and the member dimension
MERGED_BATCH = [
    "params.n_records=4",
    "params.grain_size=3",
    "params.store_snapshots=false",
    "members=2",
    "sweep={params.grid_size: [8, 12]}",
]

# (checker, check, message) regular expressions of the findings that stay, and why.
ALLOWED = {
    # -- ACDD global attributes entrosim cannot know without inventing them --------------------
    # Who made the file (a person, group or institution) and under which licence: whoever runs
    # entrosim; writing the login name would invent a creator and make reruns by two people
    # differ. No naming authority issues ids for these files, no project, program or publisher
    # stands behind them, and there is no acknowledgement to make.
    ("acdd:1.3", "Global Attributes", r"(creator_name|creator_url|creator_email|institution"
     r"|license|id|naming_authority|project|publisher_name|publisher_url|publisher_email"
     r"|acknowledgment/acknowledgement) not present"),
    ("acdd:1.3", "Global Attributes", r"(creator_type|creator_institution|publisher_type"
     r"|publisher_institution|program|contributor_name|contributor_role) not present"),
    # No processing-level scheme applies to simulation output; no instrument or platform
    # observed anything; there is no landing page (metadata_link) nor a reference list beyond
    # the summary's citations.
    ("acdd:1.3", "Global Attributes", r"(processing_level|instrument|instrument_vocabulary"
     r"|platform|platform_vocabulary|metadata_link|references) not present"),
    # keywords are free text, not from a controlled vocabulary
    ("acdd:1.3", "Global Attributes", r"keywords_vocabulary not present"),
    # A file is made once and never modified or issued by an archive
    ("acdd:1.3", r"date_(modified|issued|metadata_modified)_is_iso", r"Attr date_"
     r"(modified|issued|metadata_modified) is not present"),
    # -- ACDD geospatial and time coverage: on no calendar, and only lastmile on the Earth ------
    # Positions are in model units (body lengths, model lengths, grid cells, field box
    # lengths) or absent, and time is model time counted from the start of the run (sweeps,
    # model time units, seconds of a school), not a date: there are no latitude, longitude or
    # depth extents and no ISO 8601 time coverage. Lastmile's routes are on the Earth: its files
    # give the stops' latitude/longitude box (a bounds polygon would repeat it; no vertical).
    ("acdd:1.3", "Global Attributes", r"(geospatial_(bounds|bounds_crs|bounds_vertical_crs"
     r"|lat_min|lat_max|lon_min|lon_max|vertical_min|vertical_max|vertical_positive"
     r"|lat_units|lat_resolution|lon_units|lon_resolution|vertical_units|vertical_resolution)"
     r"|time_coverage_(start|end|duration|resolution)) not present"),
    ("acdd:1.3", r"geospatial_(lat|lon)_extents_match",
     r"geospatial_(lat|lon)_min/max attribute not found, CF-1.6 spec chapter 4.1"),
    # Lastmile's files hold per-route and per-city results, not the stops' coordinates from
    # which the box is computed: the checker has no latitude or longitude variable to compare.
    ("acdd:1.3", r"geospatial_(lat|lon)_extents_match", r"Could not find (lat|lon) variable to "
     r"test extent of geospatial_(lat|lon)_min/max, see CF-1.6 spec chapter 4\.[12]"),
    # -- ACDD variable standard names ------------------------------------------------------------
    # The CF standard name table (v93) has no name for these quantities (entropies,
    # complexities, order parameters of a school, disc-gas event counts, model fields); CF
    # makes standard_name optional, and an invented one would be wrong.
    ("acdd:1.3", r'variable "\w+" missing the following attributes:', r"standard_name"),
    # -- CF ------------------------------------------------------------------------------------
    # A dimension named time is taken for a CF time axis, whose standard_name "time" needs units
    # "<unit> since <epoch>". Time here is elapsed model time from the start of a run (sweeps,
    # model time units, or seconds of a school): an epoch would be invented, and standard_name
    # "time" with units "s" is refused by CF 4.4 as well.
    ("cf:1.10", r"§5\.1 Independent Latitude, Longitude, Vertical, and Time Axes",
     r"Coordinate variable 'time' should have standard_name='time', found: 'None'"),
    # Label dimensions (compressor, coarse_graining, component, series, city, fit_group ...)
    # have string-valued coordinate variables, which xarray writes and every reader selects by
    # (.sel(compressor="zlib")). CF-1.10 asks coordinate variables to be numeric (allowing
    # strings is cf-conventions issue #174, open); CF 6.1 would have label auxiliary
    # coordinates instead, a change of every reader. The checker raises on them (np.diff of
    # strings); the numeric coordinate variables it then skips are checked below.
    ("cf:1.10", "check_coordinate_variables_strict_monotonicity",
     r"raised TypeError: unsupported operand type\(s\) for -: 'str' and 'str'"),
}  # fmt: skip


def findings(path: Path) -> set[tuple[str, str, str]]:
    """Every finding of the checkers on ``path``: (checker, check, message).

    A check that fails reports each message; a check that raises (the checker fails on the
    file instead of judging it) is a finding too, named by the check's method.
    """
    compliance_runner.CheckSuite.load_all_available_checkers()
    suite = compliance_runner.CheckSuite()
    dataset = suite.load_dataset(str(path))
    try:
        results = suite.run_all(dataset, list(CHECKERS))
    finally:
        dataset.close()
    found = set()

    def collect(checker, result, check):
        if result.children:
            for child in result.children:
                collect(checker, child, check)
            return
        scored, possible = result.value if isinstance(result.value, tuple) else (result.value, 1)
        if scored != possible:
            for message in result.msgs or ["(no message)"]:
                found.add((checker, check, message))

    for checker, (groups, errors) in results.items():
        for method, (error, _) in errors.items():
            found.add((checker, method, f"raised {type(error).__name__}: {error}"))
        for group in groups:
            collect(checker, group, str(group.name))
    return found


def allowed(finding: tuple[str, str, str]) -> tuple | None:
    """The entry of :data:`ALLOWED` that ``finding`` matches, if any."""
    for entry in ALLOWED:
        if all(re.fullmatch(pattern, text) for pattern, text in zip(entry, finding, strict=True)):
            return entry
    return None


@pytest.fixture(scope="module")
def output_files(tmp_path_factory) -> list[Path]:
    """A small run of every system, a merged batch and the analysis of each run (once).

    The analyses include the generic ordinal summary ``entrosim analyze`` makes of a file of no
    known system (a Couzin run whose ``system`` attribute names none).
    """
    root = tmp_path_factory.mktemp("compliance")
    runs = []
    for scenario, overrides in SMALL_RUNS.items():
        out = root / scenario.split("/")[0]
        sets = [argument for override in overrides for argument in ("--set", override)]
        assert run_cli("run", scenario, "--quiet", "--out", out, *sets)[0] == 0, scenario
        runs += sorted(out.glob(f"{scenario.split('/')[1]}_m000.nc"))  # each scenario's name
    batch = root / "batch"
    sets = [argument for override in MERGED_BATCH for argument in ("--set", override)]
    assert run_cli("run", "coffee/interacting", "--quiet", "--out", batch, *sets)[0] == 0
    assert run_cli("merge", batch)[0] == 0
    foreign = root / "foreign" / "school.nc"
    foreign.parent.mkdir()
    shutil.copy(root / "couzin" / "torus_m000.nc", foreign)
    with netCDF4.Dataset(foreign, "a") as dataset:
        dataset.system = "unknown"
    assert run_cli("analyze", *runs, foreign)[0] == 0
    analyses = [run.with_name(f"{run.stem}_analysis.nc") for run in [*runs, foreign]]
    return [*runs, batch / "interacting_merged.nc", *analyses]


def test_every_system_is_covered(output_files):
    systems = {scenario.split("/")[0] for scenario in SMALL_RUNS}
    assert systems == set(registry.systems())  # a new system needs a small run here
    assert {path.parent.name for path in output_files} == {*systems, "batch", "foreign"}
    with xr.open_dataset(next(p for p in output_files if p.parent.name == "lastmile")) as routes:
        box = [routes.attrs[f"geospatial_{axis}"] for axis in ("lat_min", "lat_max")]
        assert -90 <= box[0] < box[1] <= 90  # five synthetic cities: a box of some extent
    with xr.open_dataset(output_files[-1]) as generic:
        assert "polarization_regime" in generic  # the ordinal summary, not the Couzin analysis


def test_every_variable_has_a_content_type(output_files):
    """ACDD checks the variables it takes for geophysical ones; every variable has one here."""
    for path in output_files:
        with xr.open_dataset(path, decode_times=False) as dataset:
            for name, variable in dataset.variables.items():
                assert variable.attrs.get(CONTENT_TYPE) in CONTENT_TYPES, f"{path.name}: {name}"


def test_only_the_allowed_findings_remain(output_files):
    unexplained, matched = [], set()
    for path in output_files:
        for finding in sorted(findings(path)):
            entry = allowed(finding)
            if entry is None:
                unexplained.append(f"{path.parent.name}/{path.name}: {finding}")
            matched.add(entry)
    assert not unexplained, "\n".join(unexplained)
    assert matched == set(ALLOWED), f"allowed but never found: {set(ALLOWED) - matched}"


@pytest.mark.parametrize("units", ["1", "s", "km", "byte", "bit", "degree", "degree/s", "rad"])
def test_physical_units_are_kept_and_parse(units):
    attributes = {"units": units, "long_name": "a quantity"}
    assert netcdf_units(attributes) == attributes
    cf_units.Unit(units)


@pytest.mark.parametrize(
    "units",
    ["BL", "BL/s", "k_B/particle", "mass length/time", "energy/length2", "1/length", "nat"],
)
def test_model_units_become_one_and_are_named(units):
    written = netcdf_units({"units": units, "long_name": "a quantity"})
    assert written == {"units": "1", "long_name": f"a quantity [{units}]"}
    assert netcdf_units(written) == written  # idempotent: merges and analyses rewrite nothing
    assert unit_name(written) == units


def test_model_unit_words_are_not_udunits_units():
    """Each word names a unit of a model; UDUNITS rejects it or reads it as something else."""
    for word in MODEL_UNIT_WORDS - {"nat"}:
        with pytest.raises(ValueError):
            cf_units.Unit(word)
    # UDUNITS parses "nat" as nano (n) technical atmospheres (at): a pressure, not nats
    assert cf_units.Unit("nat").is_convertible("Pa")


def test_numeric_coordinate_variables_are_strictly_monotonic(output_files):
    """CF 5: what the checker's monotonicity check skips once a string coordinate raises."""
    for path in output_files:
        with xr.open_dataset(path, decode_times=False) as dataset:
            for name in dataset.dims:
                if name in dataset.coords and dataset[name].dtype.kind in "iuf":
                    steps = np.diff(dataset[name].values)
                    assert (steps > 0).all() or (steps < 0).all(), f"{path.name}: {name}"


def test_flag_values_take_the_type_of_their_variable():
    """CF 3.5: a merge pads int8 regime flags with NaN (float); the flag values follow."""
    flags = {"flag_values": np.array([-1, 0, 1, 2], dtype=np.int8), "flag_meanings": "u r c s"}
    padded = xr.Dataset(
        {"regime": ("run", [0.0, np.nan], {"units": "1", "long_name": "regime", **flags})}
    )
    written = cf_annotated(padded)
    assert written.regime.attrs["flag_values"].dtype == np.float64
    assert written.regime.attrs[CONTENT_TYPE] == "modelResult"
    assert written.run.attrs == {}  # a dimension without coordinate is left alone
    assert padded.regime.attrs["flag_values"].dtype == np.int8  # the caller's dataset is untouched
    kept = {**padded.regime.attrs, **THEMATIC_CLASSIFICATION}
    padded.regime.attrs = kept
    assert cf_annotated(padded).regime.attrs[CONTENT_TYPE] == "thematicClassification"
