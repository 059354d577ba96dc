"""Runs of a scenario (sweep points x members): planning, checks, execution, manifest, resume.

``entrosim run`` and ``entrosim batch`` both come here; under ``mpiexec -n K`` the runs are dealt
to ranks by striding. A run's result depends only on the scenario, its sweep point and its member
index (its seed comes from the SeedSequence tree), never on K. A failing run is recorded in the
manifest and the others go on; ``--resume`` redoes only what is missing or failed, continuing from a
run's checkpoint where one exists.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import xarray as xr
from tqdm import tqdm

from sims.core import output
from sims.core.parallel import SerialComm, deal
from sims.core.rng import member_seed_sequence
from sims.core.scenario import Scenario, ScenarioError, SweepPoint, param_metadata
from sims.core.simulation import Simulation

log = logging.getLogger("entrosim")

EXIT_OK, EXIT_RUN_FAILED, EXIT_BAD_INPUT = 0, 1, 2


@dataclass(frozen=True)
class RunSpec:
    """One run: a sweep point, a member, and the file it writes."""

    point: SweepPoint
    member: int
    path: Path

    @property
    def checkpoint_path(self) -> Path:
        """Where this run's checkpoint lives while it is incomplete."""
        return self.path.with_name(self.path.name + ".ckpt")


def plan_runs(scenario: Scenario, out_dir: Path) -> list[RunSpec]:
    """Every run of the scenario, sweep points outermost, as ``<name>[_pNNN]_mNNN.nc`` files."""
    runs = []
    for point in scenario.points:
        for member in range(scenario.spec.members):
            stem = scenario.spec.name
            if scenario.has_sweep:
                stem += f"_p{point.index:03d}"
            runs.append(RunSpec(point, member, out_dir / f"{stem}_m{member:03d}.nc"))
    return runs


def manifest_path(scenario: Scenario, out_dir: Path) -> Path:
    """The batch manifest (JSON) of a scenario's runs."""
    return out_dir / f"{scenario.spec.name}_manifest.json"


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
    existing = [run.path for run in runs if run.path.exists()]
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
) -> int:
    """Run every run of ``scenario`` this rank owns; return the exit code (0 ok, 1 a run failed).

    Raises
    ------
    ScenarioError
        If the output cannot be written (before any run starts).
    """
    comm = comm or SerialComm()
    out_dir = Path(out_dir or scenario.spec.output.dir)
    runs = plan_runs(scenario, out_dir)
    error = None
    if comm.rank == 0:
        try:
            check_output(scenario, runs, out_dir, overwrite, resume)
        except ScenarioError as raised:
            error = raised
    error = comm.bcast(error)
    if error is not None:
        raise error

    if comm.rank == 0:
        tick = time.perf_counter()
        scenario.system.model.warm_up()
        log.info("kernels compiled or loaded from cache in %.2f s", time.perf_counter() - tick)
    comm.barrier()

    show_progress = comm.rank == 0 and not quiet and sys.stderr.isatty()
    entries = []
    for run in deal(runs, comm.rank, comm.size):
        if resume and run.path.exists():
            entries.append(_entry(run, "done", comm.rank, note="existing file kept"))
            continue
        entries.append(_run_isolated(scenario, run, resume, show_progress, comm.rank))

    gathered = comm.gather(entries)
    code = EXIT_OK
    if comm.rank == 0:
        all_entries = sorted((e for part in gathered for e in part), key=lambda e: e["file"])
        _write_manifest(scenario, out_dir, all_entries, comm.size)
        failed = [e for e in all_entries if e["status"] == "failed"]
        for entry in failed:
            log.error("run %s failed: %s", entry["file"], entry["error"])
        code = EXIT_RUN_FAILED if failed else EXIT_OK
    return comm.bcast(code)


def run_one(scenario: Scenario, run: RunSpec, resume: bool = False, progress=None) -> Simulation:
    """Build, run and write one run; return its finished :class:`Simulation` (for timings)."""
    spec = scenario.spec
    model = scenario.system.model(run.point.params, member_seed_sequence(spec.seed, run.member))
    simulation = Simulation(
        model,
        checkpoint_path=run.checkpoint_path,
        checkpoint_interval=spec.output.checkpoint_interval,
        fingerprint=f"{scenario.resolved_yaml()}\npoint={run.point.index}\nmember={run.member}",
        progress=progress,
    )
    if resume and simulation.resume():
        log.info("%s: resuming from step %d", run.path.name, model.step_count)
    dataset = simulation.run()
    tick = time.perf_counter()
    output.write_netcdf(_decorate(dataset, scenario, run), run.path, spec.output.complevel)
    simulation.timings.total += time.perf_counter() - tick
    simulation.discard_checkpoint()
    return simulation


def _run_isolated(
    scenario: Scenario, run: RunSpec, resume: bool, show_progress: bool, rank: int
) -> dict:
    bar = tqdm(
        desc=run.path.name, unit="step", unit_scale=True, leave=False, disable=not show_progress
    )

    def progress(step: int, last: int) -> None:
        bar.total = last
        bar.update(step - bar.n)

    try:
        simulation = run_one(scenario, run, resume, progress)
    except Exception as error:  # one failing run must not stop the others
        log.debug("".join(traceback.format_exception(error)))
        return _entry(run, "failed", rank, error=f"{type(error).__name__}: {error}")
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


def _entry(run: RunSpec, status: str, rank: int, **details) -> dict:
    return {
        "file": run.path.name,
        "sweep_point": run.point.index,
        "values": run.point.values,
        "member": run.member,
        "status": status,
        "rank": rank,
        **details,
    }


def _decorate(dataset: xr.Dataset, scenario: Scenario, run: RunSpec) -> xr.Dataset:
    """Add the swept parameters as scalar coordinates and the global attributes."""
    params_model = scenario.system.model.Params
    for key, value in run.point.values.items():
        if isinstance(value, dict | list):  # a NetCDF coordinate holds scalars only
            value = json.dumps(value, sort_keys=True)
        coordinate = xr.DataArray(value, attrs=param_metadata(params_model, key))
        dataset = dataset.assign_coords({output.sweep_dimension(key): coordinate})
    system = scenario.system
    dataset.attrs = (
        output.global_attributes(
            title=f"{system.title}: {scenario.spec.name}",
            summary=system.summary,
            system=system.name,
            scenario_yaml=scenario.resolved_yaml(),
            root_seed=scenario.spec.seed,
            member=run.member,
            sweep_values=run.point.values,
            sweep_index=run.point.index if scenario.has_sweep else None,
        )
        | dataset.attrs
    )
    return dataset


def _write_manifest(scenario: Scenario, out_dir: Path, entries: list[dict], ranks: int) -> None:
    path = manifest_path(scenario, out_dir)
    document = {
        "scenario": scenario.spec.name,
        "source": scenario.source,
        "written": output.now_iso(),
        "ranks": ranks,
        "runs": entries,
    }
    partial = path.with_name(path.name + output.PARTIAL_SUFFIX)
    partial.write_text(json.dumps(document, indent=1, default=str))
    os.replace(partial, path)
