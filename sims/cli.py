"""The ``entrosim`` command line: run, batch, validate, list, merge, analyze, plot.

Bad input (a scenario, a key, a value, an output directory) prints one line naming the file, the
key and the problem, and exits with code 2 without writing anything. Exit codes: 0 done, 1 a run
failed, 2 bad input, 3 stopped by ``--time-limit`` or a signal (resume with ``--resume``).

Each command imports what it needs when it runs: ``--help``, ``list`` and ``validate`` import no
simulator kernels, xarray or dask, so they answer at once.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import re
import sys
import tempfile
import traceback
from pathlib import Path

from sims.core.exit_codes import EXIT_BAD_INPUT, EXIT_OK

log = logging.getLogger("entrosim")
MERGE_OPEN_FILES = 8


class InputError(Exception):
    """A bad file or option outside scenarios (merge, analyze, plot): one line, exit code 2."""


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``entrosim`` and ``python -m sims``; returns the exit code."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    from sims.core.files import OutputLocked
    from sims.core.parallel import launcher_rank
    from sims.core.scenario import ScenarioError

    try:
        return arguments.handler(arguments)
    except (ScenarioError, InputError, OutputLocked) as error:
        if launcher_rank() == 0:  # every rank finds the same problem; say it once
            print(" ".join(str(error).split()), file=sys.stderr)
        return EXIT_BAD_INPUT


def build_parser() -> argparse.ArgumentParser:
    """The ``entrosim`` argument parser (also read by the docs for the CLI reference)."""
    parser = argparse.ArgumentParser(
        prog="entrosim",
        description="Simulate physical entropy systems and measure their entropy.",
        epilog="Run `entrosim COMMAND --help` for the options of each command.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for name, handler, text in (
        ("run", _run, "run a scenario (every sweep point and member) and print a summary"),
        ("batch", _batch, "run a scenario's runs dealt over MPI ranks (use under mpiexec -n K)"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument(
            "scenario",
            metavar="FILE|NAME",
            help="a scenario file or a shipped name such as coffee/interacting",
        )
        command.add_argument(
            "--out",
            type=Path,
            metavar="DIR",
            help="output directory (default: the scenario's output.dir)",
        )
        command.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            dest="overrides",
            help="override a scenario key, e.g. "
            "--set params.grid_size=64 (repeatable; values are YAML)",
        )
        command.add_argument("--overwrite", action="store_true", help="replace existing outputs")
        command.add_argument(
            "--resume",
            action="store_true",
            help="keep finished outputs, continue from checkpoints, redo the rest",
        )
        command.add_argument(
            "--time-limit",
            type=_duration,
            metavar="DURATION",
            help="stop after this long (e.g. 3h50m, 90m, 3600), every run checkpointed, with "
            "exit code 3 (SIGTERM and SIGUSR1 do the same); --resume continues",
        )
        command.add_argument("--quiet", action="store_true", help="no progress bars or info logs")
        command.set_defaults(handler=handler)

    validate = commands.add_parser("validate", help="check scenario files without running them")
    validate.add_argument("scenarios", nargs="+", metavar="FILE|NAME")
    validate.set_defaults(handler=_validate)

    listing = commands.add_parser("list", help="list systems and shipped scenarios")
    listing.set_defaults(handler=_list)

    merge = commands.add_parser(
        "merge", help="merge per-run files into one dataset with member and sweep dimensions"
    )
    merge.add_argument("directory", type=Path, metavar="DIR")
    merge.add_argument("--name", help="scenario name (default: every scenario found in DIR)")
    merge.add_argument("--overwrite", action="store_true", help="replace an existing merged file")
    merge.set_defaults(handler=_merge)

    analyze = commands.add_parser(
        "analyze",
        help="write entropy diagnostics of output files next to them (<stem>_analysis.nc); "
        "a series (CSV, or NetCDF with --column) gets the PECCARY variables of a run",
    )
    analyze.add_argument("files", nargs="+", type=Path, metavar="FILE")
    analyze.add_argument("--overwrite", action="store_true", help="replace existing analyses")
    series = analyze.add_argument_group("a series (CSV, or NetCDF with --column)")
    series.add_argument("--column", help="CSV column (name or index; default last) or variable")
    series.add_argument("--time-column", help="column of times (numbers or ISO dates)")
    series.add_argument("--time-step", type=float, help="sampling step, if no time column")
    series.add_argument("--order", type=int, help="ordinal pattern order (default 5)")
    series.add_argument("--max-delay", type=int, help="largest delay tabulated (default 20)")
    series.add_argument(
        "--nan", choices=("refuse", "split"), help="missing values (default refuse)"
    )
    series.add_argument("--output", type=Path, metavar="NC", help="output file (one input)")
    analyze.set_defaults(handler=_analyze)

    plot = commands.add_parser("plot", help="draw the standard figure of an output file")
    plot.add_argument("file", type=Path, metavar="FILE")
    plot.add_argument("--output", type=Path, metavar="PNG", help="image path (default: <stem>.png)")
    plot.set_defaults(handler=_plot)
    return parser


def _duration(text: str) -> float:
    from sims.core.schedule import parse_duration

    try:
        return parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _execute(arguments) -> tuple[int, list[Path], object, Path]:
    """Run the scenario; return the exit code, the files written, the scenario, the output dir.

    The files written come from the manifest (rank 0 only): a file left under a run's name by
    something else (a foreign or damaged file a failed rerun did not replace) is not counted.
    """
    from sims.core import batch
    from sims.core.parallel import configure_logging, world
    from sims.core.scenario import load_scenario

    scenario = load_scenario(arguments.scenario, arguments.overrides)
    comm = world()
    configure_logging(comm.rank, comm.size, arguments.quiet)
    out_dir = Path(arguments.out or scenario.spec.output.dir)
    code = batch.execute(
        scenario,
        out_dir,
        overwrite=arguments.overwrite,
        resume=arguments.resume,
        quiet=arguments.quiet,
        comm=comm,
        time_limit=arguments.time_limit,
    )
    written = []
    if comm.rank == 0:
        try:
            manifest = json.loads(batch.manifest_path(scenario, out_dir).read_text())
            written = [out_dir / run["file"] for run in manifest["runs"] if run["status"] == "done"]
        except (OSError, ValueError, KeyError, TypeError):
            pass  # the manifest could not be written: its error was logged
    return code, written, scenario, out_dir


def _run(arguments) -> int:
    code, written, scenario, _ = _execute(arguments)
    import xarray as xr

    for path in written:
        with xr.open_dataset(path) as dataset:
            print(f"{path}: {scenario.system.model.summarize(dataset)}")
    return code


def _batch(arguments) -> int:
    from sims.core import batch
    from sims.core.parallel import launcher_rank

    code, written, scenario, out_dir = _execute(arguments)
    if launcher_rank() == 0:
        manifest = batch.manifest_path(scenario, out_dir)
        print(f"{len(written)}/{scenario.n_runs} runs written; manifest {manifest}")
    return code


def _validate(arguments) -> int:
    from sims.core import resources
    from sims.core.scenario import ScenarioError, load_scenario

    available = resources.available_memory()
    for name in arguments.scenarios:
        scenario = load_scenario(name)
        runs = scenario.n_runs
        model = scenario.system.model
        points = scenario.points.validated_points()
        estimates = (resources.estimate_memory(model, p.params) for p in points)
        estimate = max(estimates, key=lambda e: e.bytes)
        lazy = (
            "; sweep checked along its axes, other points when run"
            if scenario.points.is_lazy
            else ""
        )
        print(
            f"{scenario.source}: ok ({scenario.spec.system}, {runs} run{'s' * (runs != 1)}, "
            f"~{resources.format_bytes(estimate.bytes)} per run{lazy})"
        )
        try:
            resources.check_resources(scenario, available)
        except ScenarioError as problem:
            print(f"{problem} on this machine (warning)", file=sys.stderr)
        shortage = resources.shortage(estimate, available)
        if shortage and runs > 1:
            print(
                f"{scenario.source}: {estimate.parameter}: {shortage} on this machine (warning)",
                file=sys.stderr,
            )
    return EXIT_OK


def _list(arguments) -> int:
    from sims.core import registry
    from sims.core.scenario import scenario_description, shipped_scenarios

    print("systems:")
    for system in registry.systems().values():
        print(f"  {system.name:<14} {system.title}")
    print("scenarios (entrosim run NAME):")
    for name, path in shipped_scenarios().items():
        description = scenario_description(path).strip().splitlines()
        print(f"  {name:<32} {description[0] if description else ''}")
    return EXIT_OK


def _merge(arguments) -> int:
    import xarray as xr

    from sims.core import output
    from sims.core.files import is_regular_file

    directory = arguments.directory
    if not directory.is_dir():
        raise InputError(f"{directory}: merge: not a directory")
    run_file = re.compile(r"^.+_m[0-9]{3,}\.nc$")  # <name>[_pNNN]_mNNN.nc, members beyond 999 too
    files = sorted(p for p in directory.iterdir() if run_file.match(p.name) and is_regular_file(p))
    groups: dict[str, list[Path]] = {}
    for path in files:
        groups.setdefault(path.name.rsplit("_m", 1)[0].rsplit("_p", 1)[0], []).append(path)
    if arguments.name:
        groups = {k: v for k, v in groups.items() if k == arguments.name}
    if not groups:
        raise InputError(f"{directory}: merge: no run files (<name>[_pNNN]_mNNN.nc) found")
    _check_writable(directory, "merge")
    for name, paths in groups.items():
        target = directory / f"{name}_merged.nc"
        if target.exists() and not arguments.overwrite:
            raise InputError(f"{target}: merge: exists (use --overwrite)")
        _check_fits(directory, "merge", 2 * max(path.stat().st_size for path in paths))
        # HDF5 holds ~1 MiB per open file: keep few open, reopened as the merge is written
        with (
            xr.set_options(file_cache_maxsize=MERGE_OPEN_FILES),
            output.hdf5_chunk_cache(output.CHUNK_CACHE_BYTES),
        ):
            merged = _checked(directory, "merge", lambda group=paths: output.merge_runs(group))
            _checked(directory, "merge", lambda m=merged, t=target: _write(m, t, "merge"))
            merged.close()
        print(f"{target}: {len(paths)} runs, dims {dict(merged.sizes)}")
    return EXIT_OK


def _analyze(arguments) -> int:
    from sims.core import output, registry
    from sims.peccary import series_analysis

    series_options = ("column", "time_column", "time_step", "order", "max_delay", "nan", "output")
    given = {key: getattr(arguments, key) for key in series_options}
    if arguments.output is not None and len(arguments.files) > 1:
        raise InputError(f"{arguments.output}: --output: takes one input file")
    for path in arguments.files:
        if series_analysis.is_series_file(path, arguments.column):
            options = {key: value for key, value in given.items() if value is not None}
            written = series_analysis.analyze_series(path, **options, overwrite=arguments.overwrite)
            print(f"{written}: PECCARY of a series")
            continue
        misplaced = [key for key, value in given.items() if value is not None]
        if misplaced:
            option = "--" + misplaced[0].replace("_", "-")
            raise InputError(
                f"{path}: {option}: applies to a series (CSV, or NetCDF with --column)"
            )
        target = path.with_name(f"{path.stem}_analysis.nc")
        if target.exists() and not arguments.overwrite:
            raise InputError(f"{target}: analyze: exists (use --overwrite)")
        dataset = read_output(path, lazy=True)
        _check_writable(target.parent, "analyze")
        system = registry.systems().get(dataset.attrs.get("system", ""))
        if system is not None and system.analyze is not None:
            analyze = system.analyze
        else:
            from analysis.ordinal import ordinal_summary as analyze
        if "member" in dataset.dims:  # an ensemble: reduced a member at a time by dask
            dataset = dataset.chunk(member=1)
            largest = max((v.nbytes for v in dataset.variables.values()), default=0)
            _check_fits(path, "read", 2 * largest)
        else:
            _check_fits(path, "read", dataset.nbytes)
            dataset = _checked(path, "read", dataset.load)
        work = functools.partial(_in_chunks, analyze, dataset)
        diagnostics = _checked(path, "analyze", work, system)
        output.inherit_nan_meaning(diagnostics, dataset)
        diagnostics.attrs = {
            **dataset.attrs,
            **diagnostics.attrs,
            "history": f"{output.now_iso()} entrosim analyze {path.name}\n"
            f"{dataset.attrs.get('history', '')}".strip(),
            "date_created": output.now_iso(),
        }
        _write(diagnostics, target, "analyze")
        print(f"{target}: {', '.join(diagnostics.data_vars)}")
    return EXIT_OK


def _plot(arguments) -> int:
    import matplotlib

    matplotlib.use("Agg")

    from sims.core import registry
    from sims.core.files import atomic_output

    dataset = read_output(arguments.file)
    system = registry.systems().get(dataset.attrs.get("system", ""))
    if system is None or system.plot is None:
        raise InputError(
            f"{arguments.file}: system: no plot for this file (got {dataset.attrs.get('system')!r})"
        )
    target = arguments.output or arguments.file.with_suffix(".png")
    _check_writable(target.parent, "plot")
    figure = _checked(arguments.file, "plot", lambda: system.plot(dataset), system)
    try:
        with atomic_output(target) as temporary:
            figure.savefig(temporary, dpi=120, bbox_inches="tight", format="png")
    except OSError as error:
        raise InputError(f"{target}: plot: cannot write: {error.strerror or error}") from None
    print(f"{target}")
    return EXIT_OK


def read_output(path: Path, lazy: bool = False):
    """Load a NetCDF file read as untrusted: a regular file whose data fit in memory.

    With ``lazy``, open it with dask instead (a chunk per variable, nothing read yet, no
    memory check): for work done a piece at a time.

    Raises
    ------
    InputError
        One line naming the file: missing, a link or not a file, unreadable, or too large.
    """
    import xarray as xr

    from sims.core.files import is_regular_file

    if not is_regular_file(path):
        problem = (
            "no such file"
            if not path.is_symlink() and not path.exists()
            else ("not a regular file (links are not followed)")
        )
        raise InputError(f"{path}: {problem}")
    chunks = {} if lazy else None
    dataset = _checked(path, "read", lambda: xr.open_dataset(path, engine="netcdf4", chunks=chunks))
    if lazy:
        return dataset
    _check_fits(path, "read", dataset.nbytes)
    return _checked(path, "read", dataset.load)


def _in_chunks(analyze, dataset):
    import dask

    with dask.config.set(scheduler="synchronous"):  # one chunk in memory at a time
        return analyze(dataset).load()


def _checked(path: Path, action: str, work, system=None):
    """Run ``work()`` on an untrusted file; any failure becomes one InputError line."""
    try:
        return work()
    except InputError:
        raise
    except Exception as error:  # a hostile file can make any reader fail; report, don't crash
        log.debug("".join(traceback.format_exception(error)))
        what = f"not a complete {system.name} output" if system else "cannot read as NetCDF"
        detail = " ".join(f"{type(error).__name__}: {error}".split())[:200]
        raise InputError(f"{path}: {action}: {what} ({detail})") from None


def _check_fits(path: Path, action: str, size: int) -> None:
    from sims.core import resources

    available = resources.available_memory()
    if size > available:
        raise InputError(
            f"{path}: {action}: needs ~{resources.format_bytes(size)} in memory, "
            f"{resources.format_bytes(available)} available"
        )


def _check_writable(directory: Path, action: str) -> None:
    try:
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        raise InputError(f"{directory}: {action}: not writable ({error.strerror})") from None


def _write(dataset, target: Path, action: str) -> None:
    from sims.core import output

    try:
        output.write_netcdf(dataset, target)
    except OSError as error:
        raise InputError(f"{target}: {action}: cannot write: {error.strerror or error}") from None
    except ValueError as error:
        raise InputError(f"{target}: {action}: {error}") from None
