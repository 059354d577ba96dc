"""Runs of a scenario (sweep points x members): planning, checks, execution, manifest, resume.

``entrosim run`` and ``entrosim batch`` both come here; under ``mpiexec -n K`` rank 0 hands the
runs out as ranks become free, longest expected first (:mod:`sims.core.schedule`). A run's result
depends only on the scenario, its sweep point and its member index (its seed comes from the
SeedSequence tree), never on K or on who ran it when. Each run is recorded in the manifest log as
it ends (:mod:`sims.core.manifest`); a failing run is recorded and the others go on. A time limit
or a scheduler's signal stops every rank at a checkpoint with exit code 3; ``--resume`` redoes
only what is missing, failed or interrupted, continuing from a run's checkpoint where one exists
and is sound.

Rank 0 holds the scenario's lock in the output directory for the whole batch (a second batch of
the same scenario there is refused), and every run's memory is estimated before it allocates.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import netCDF4
import xarray as xr
from tqdm import tqdm

from sims.core import output, resources
from sims.core.checkpoint import CheckpointError
from sims.core.exit_codes import EXIT_INCOMPLETE, EXIT_OK, EXIT_RUN_FAILED
from sims.core.files import (
    OutputLocked,
    is_regular_file,
    remove_partials,
    scenario_lock,
)
from sims.core.fingerprint import checkpoint_identity, cpu_target, run_fingerprint
from sims.core.manifest import ManifestLog, write_summary
from sims.core.parallel import SerialComm
from sims.core.record_log import RecordLog
from sims.core.rng import member_seed_sequence
from sims.core.scenario import Scenario, ScenarioError, SweepPoint, param_metadata
from sims.core.schedule import Dispatcher, StopControl, longest_first, stop_requested, work
from sims.core.simulation import Interrupted, Simulation, records_beside

log = logging.getLogger("entrosim")


@dataclass(frozen=True)
class RunSpec:
    """One run: a sweep point (by index), a member, and the file it writes."""

    point_index: int
    member: int
    path: Path

    @property
    def checkpoint_path(self) -> Path:
        """Where this run's checkpoint lives while it is incomplete."""
        return self.path.with_name(self.path.name + ".ckpt")


def plan_runs(scenario: Scenario, out_dir: Path) -> list[RunSpec]:
    """Every run of the scenario, sweep points outermost, as ``<name>[_pNNN]_mNNN.nc`` files.

    Nothing is validated here: a lazily validated sweep point is checked when its run starts.
    """
    runs = []
    for index in range(len(scenario.points)):
        for member in range(scenario.spec.members):
            stem = scenario.spec.name
            if scenario.has_sweep:
                stem += f"_p{index:03d}"
            runs.append(RunSpec(index, member, out_dir / f"{stem}_m{member:03d}.nc"))
    return runs


def manifest_path(scenario: Scenario, out_dir: Path) -> Path:
    """The summary manifest (JSON) of a scenario's runs, written when a batch ends."""
    return out_dir / f"{scenario.spec.name}_manifest.json"


def log_path(scenario: Scenario, out_dir: Path) -> Path:
    """The manifest log (JSON Lines, a line per run as it ends) of a scenario's runs."""
    return out_dir / f"{scenario.spec.name}_manifest.jsonl"


def check_output(
    scenario: Scenario, runs: list[RunSpec], out_dir: Path, overwrite: bool, resume: bool
) -> None:
    """Refuse, before any work, an unwritable directory or outputs that would be overwritten."""
    source = scenario.source
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as error:
        raise ScenarioError(
            source, "output.dir", f"not writable: {error.strerror}", str(out_dir)
        ) from None
    if overwrite or resume:
        return
    existing = [run.path for run in runs if run.path.is_symlink() or run.path.exists()]
    if existing:
        problem = f"{existing[0]} exists (use --overwrite to replace it or --resume to finish)"
        raise ScenarioError(source, "output.dir", problem, f"{len(existing)} existing files")


def execute(
    scenario: Scenario,
    out_dir: Path | None = None,
    *,
    overwrite: bool = False,
    resume: bool = False,
    quiet: bool = False,
    comm=None,
    time_limit: float | None = None,
) -> int:
    """Run the scenario's runs over the ranks of ``comm``; return the exit code.

    Rank 0 hands runs out longest expected first (:mod:`sims.core.schedule`) and records each
    run in the manifest log as it ends (:mod:`sims.core.manifest`). The exit code is 0 (all
    done), 1 (a run failed) or 3 (:data:`EXIT_INCOMPLETE`: stopped by ``time_limit`` seconds or
    a signal, every started run checkpointed; ``--resume`` continues).

    Raises
    ------
    ScenarioError
        If the batch cannot fit in memory or the output cannot be written (before any run).
    OutputLocked
        If another entrosim process runs this scenario in the same directory.
    """
    comm = comm or SerialComm()
    out_dir = Path(out_dir or scenario.spec.output.dir)
    stop = StopControl(time_limit)
    with contextlib.ExitStack() as held:
        error = None
        if comm.rank == 0:
            try:
                _prepare(scenario, out_dir, overwrite, resume, held)
            except (ScenarioError, OutputLocked) as raised:
                error = raised
        error = comm.bcast(error)
        if error is not None:
            raise error
        runs = plan_runs(scenario, out_dir)
        if comm.rank == 0:
            tick = time.perf_counter()
            scenario.system.model.warm_up()
            log.info("kernels compiled or loaded from cache in %.2f s", time.perf_counter() - tick)
        comm.barrier()
        held.enter_context(stop.catching_signals())
        show_progress = comm.rank == 0 and not quiet and sys.stderr.isatty()

        def attempt(index: int, between_chunks=None) -> dict:
            run = runs[index]
            if resume and _finished(scenario, run):
                _remove_leftovers(run)
                return _entry(scenario, run, "done", comm.rank, note="existing file kept")
            stopping = stop_requested(comm, stop)
            if stopping():
                return _entry(scenario, run, "interrupted", comm.rank, note="not started")
            return _run_isolated(
                scenario, run, resume, show_progress, comm.rank, stopping, between_chunks
            )

        if comm.rank != 0:
            work(comm, attempt)
            return comm.bcast(None)
        code = _dispatch(scenario, out_dir, runs, resume, comm, stop, attempt)
        return comm.bcast(code)


def _prepare(scenario: Scenario, out_dir: Path, overwrite: bool, resume: bool, held) -> None:
    """Rank 0, before any run: resources, output checks, the lock, leftovers of killed writes."""
    resources.check_resources(scenario, resources.available_memory())
    runs = plan_runs(scenario, out_dir)
    check_output(scenario, runs, out_dir, overwrite, resume)
    try:
        held.enter_context(scenario_lock(out_dir, scenario.spec.name))
        names = {run.path.name for run in runs} | {run.checkpoint_path.name for run in runs}
        names |= {manifest_path(scenario, out_dir).name, log_path(scenario, out_dir).name}
        remove_partials(out_dir, names.__contains__)
    except OSError as raised:
        raise ScenarioError(
            scenario.source, "output.dir", f"cannot lock: {raised.strerror}", str(out_dir)
        ) from None


def _dispatch(scenario, out_dir, runs, resume, comm, stop, attempt) -> int:
    """Rank 0: hand the runs out, record each as it ends, write the summary; the exit code."""
    entries: list[dict] = []
    code = EXIT_OK
    try:
        manifest = ManifestLog(log_path(scenario, out_dir), fresh=not resume)
    except OSError as raised:
        log.error("%s: cannot write the manifest: %s", out_dir, raised.strerror or raised)
        manifest, code = None, EXIT_RUN_FAILED

    def record(entry: dict) -> None:
        nonlocal manifest, code
        entries.append(entry)
        if entry["status"] == "failed":
            log.error("run %s failed: %s", entry["file"], entry["error"])
        if manifest is not None:
            try:
                manifest.append(entry)
            except OSError as raised:
                log.error("%s: cannot write the manifest: %s", out_dir, raised.strerror or raised)
                manifest, code = None, EXIT_RUN_FAILED

    order = longest_first([_cost(scenario, run) for run in runs])
    dispatcher = Dispatcher(comm, order, record, stop)
    if dispatcher.works_too:
        while (index := dispatcher.take()) is not None:
            entry = attempt(index, dispatcher.serve)
            record(entry)
            if entry["status"] == "interrupted":
                dispatcher.halt()
            dispatcher.serve()
    dispatcher.finish()
    if manifest is not None:
        manifest.close()
    incomplete = dispatcher.unstarted + sum(e["status"] == "interrupted" for e in entries)
    if incomplete:
        log.warning(
            "stopped (%s): %d of %d runs incomplete; run again with --resume to finish",
            stop.reason(),
            incomplete,
            len(runs),
        )
        code = EXIT_INCOMPLETE
    elif any(entry["status"] == "failed" for entry in entries):
        code = max(code, EXIT_RUN_FAILED)
    try:
        _write_manifest(scenario, out_dir, entries, comm.size, incomplete)
    except OSError as raised:
        log.error("%s: cannot write the manifest: %s", out_dir, raised.strerror or raised)
        code = max(code, EXIT_RUN_FAILED)
    return code


def _cost(scenario: Scenario, run: RunSpec) -> float:
    """The run's expected cost (an invalid sweep point costs nothing: it fails at once)."""
    try:
        params = scenario.points[run.point_index].params
    except ScenarioError:
        return 0.0
    return scenario.system.model.cost_estimate(params)


def _finished(scenario: Scenario, run: RunSpec) -> bool:
    """Whether ``run``'s output exists, opens and carries this run's fingerprint (resume)."""
    if not (run.path.is_symlink() or run.path.exists()):
        return False
    problem = _output_problem(scenario, run)
    if problem is None:
        return True
    log.warning("%s: %s; running it again", run.path, problem)
    return False


def _remove_leftovers(run: RunSpec) -> None:
    """Remove the checkpoint and records of a run killed after its file was renamed into place."""
    run.checkpoint_path.unlink(missing_ok=True)
    RecordLog(records_beside(run.checkpoint_path), {}).discard()


def _output_problem(scenario: Scenario, run: RunSpec) -> str | None:
    if not is_regular_file(run.path):
        return "not a regular file"
    try:
        point = scenario.points[run.point_index]
    except ScenarioError:
        return "its sweep point is invalid"
    expected = _fingerprint(scenario, point, run.member)
    try:
        with netCDF4.Dataset(run.path, "r") as dataset:
            found = getattr(dataset, "run_fingerprint", None)
    except (OSError, RuntimeError, ValueError) as error:
        return f"cannot be read as NetCDF ({error})"
    if found != expected:
        return "written by another run (its run_fingerprint differs)"
    return None


def _fingerprint(scenario: Scenario, point: SweepPoint, member: int) -> str:
    params = point.params.model_dump(mode="json")
    protocol = scenario.spec.model_dump(mode="json")["protocol"]
    return run_fingerprint(scenario.spec.system, params, scenario.spec.seed, member, protocol)


def run_one(
    scenario: Scenario, run: RunSpec, resume: bool = False, progress=None, stop_requested=None
) -> Simulation:
    """Build, run and write one run; return its finished :class:`Simulation` (for timings).

    Raises
    ------
    ScenarioError
        If the run's sweep point is invalid or the run cannot fit in memory (nothing built).
    """
    spec = scenario.spec
    point = scenario.points[run.point_index]
    model_class = scenario.system.model
    estimate = resources.estimate_memory(model_class, point.params)
    problem = resources.shortage(estimate, resources.available_memory())
    if problem:
        raise ScenarioError(scenario.source, estimate.parameter, problem)
    fingerprint = _fingerprint(scenario, point, run.member)
    model = model_class(point.params, member_seed_sequence(spec.seed, run.member))
    simulation = Simulation(
        model,
        checkpoint_path=run.checkpoint_path,
        checkpoint_interval=spec.output.checkpoint_interval,
        identity=checkpoint_identity(fingerprint),
        progress=progress,
        stop_requested=stop_requested,
        protocols=point.protocols,
    )
    if resume:
        try:
            if simulation.resume():
                log.info("%s: resuming from step %d", run.path.name, model.step_count)
        except CheckpointError as error:
            log.warning("%s; starting the run from scratch", error)
            run.checkpoint_path.unlink(missing_ok=True)
    dataset = simulation.run()
    tick = time.perf_counter()
    dataset = _decorate(dataset, scenario, point, run, fingerprint)
    output.write_netcdf(dataset, run.path, spec.output.complevel)
    simulation.timings.total += time.perf_counter() - tick
    simulation.discard_checkpoint()
    return simulation


def _run_isolated(
    scenario: Scenario,
    run: RunSpec,
    resume: bool,
    show_progress: bool,
    rank: int,
    stop_requested=None,
    between_chunks=None,
) -> dict:
    bar = tqdm(
        desc=run.path.name, unit="step", unit_scale=True, leave=False, disable=not show_progress
    )

    def progress(step: int, last: int) -> None:
        bar.total = last
        bar.update(step - bar.n)
        if between_chunks is not None:
            between_chunks()

    try:
        simulation = run_one(scenario, run, resume, progress, stop_requested)
    except Interrupted as stopped:
        log.info("%s: %s; its checkpoint is kept", run.path.name, stopped)
        return _entry(scenario, run, "interrupted", rank, note=str(stopped))
    except ScenarioError as error:  # a lazily validated point, or not enough memory
        return _entry(scenario, run, "failed", rank, error=f"{error.key}: {error.problem}")
    except Exception as error:  # one failing run must not stop the others
        log.debug("".join(traceback.format_exception(error)))
        return _entry(scenario, run, "failed", rank, error=f"{type(error).__name__}: {error}")
    finally:
        bar.close()
    timings = simulation.timings
    log.info(
        "wrote %s in %.2f s (dynamics %.2f s, diagnostics %.2f s)",
        run.path,
        timings.total,
        timings.advance,
        timings.observe,
    )
    return _entry(
        scenario,
        run,
        "done",
        rank,
        timings={
            "total_s": timings.total,
            "dynamics_s": timings.advance,
            "diagnostics_s": timings.observe,
            "checkpoint_s": timings.checkpoint,
            "framework_s": timings.framework,
        },
    )


def _entry(scenario: Scenario, run: RunSpec, status: str, rank: int, **details) -> dict:
    """A run's manifest line: where it ran (results are bitwise per CPU type) and how it ended."""
    return {
        "file": run.path.name,
        "sweep_point": run.point_index,
        "values": scenario.points.values(run.point_index),
        "member": run.member,
        "status": status,
        "rank": rank,
        "host": socket.gethostname(),
        "cpu_target": cpu_target(),
        "ended": output.now_iso(),
        **details,
    }


def _decorate(
    dataset: xr.Dataset, scenario: Scenario, point: SweepPoint, run: RunSpec, fingerprint: str
) -> xr.Dataset:
    """Add the swept parameters as scalar coordinates and the global attributes."""
    params_model = scenario.system.model.Params
    for key, value in point.values.items():
        if isinstance(value, dict | list):  # a NetCDF coordinate holds scalars only
            value = json.dumps(value, sort_keys=True)
        coordinate = xr.DataArray(value, attrs=param_metadata(params_model, key))
        dataset = dataset.assign_coords({output.sweep_dimension(key): coordinate})
    system = scenario.system
    dataset.attrs = (
        output.global_attributes(
            title=f"{system.title}: {scenario.spec.name}",
            summary=system.summary,
            keywords=system.keywords,
            system=system.name,
            scenario_yaml=scenario.resolved_yaml(),
            root_seed=scenario.spec.seed,
            member=run.member,
            sweep_values=point.values,
            sweep_index=point.index if scenario.has_sweep else None,
        )
        | {"run_fingerprint": fingerprint, "cpu_target": cpu_target()}
        | dataset.attrs
    )
    return dataset


def _write_manifest(
    scenario: Scenario, out_dir: Path, entries: list[dict], ranks: int, incomplete: int
) -> None:
    document = {
        "scenario": scenario.spec.name,
        "source": scenario.source,
        "written": output.now_iso(),
        "ranks": ranks,
        "complete": not incomplete,
        "incomplete_runs": incomplete,
        "log": log_path(scenario, out_dir).name,
        "runs": sorted(entries, key=lambda entry: entry["file"]),
    }
    write_summary(manifest_path(scenario, out_dir), document)
