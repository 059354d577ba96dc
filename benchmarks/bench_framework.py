"""Cost of the entrosim framework itself, and the speed-up of a batch dealt over MPI ranks.

Measures (issue #2, "Performance"; compile time excluded: kernels are warmed up first and are
compiled with ``cache=True``):

1. **Framework overhead** of the shipped scenario ``coffee/interacting`` (``n = 100`` run to
   equilibrium), run in-process through ``load_scenario`` + ``sims.core.batch.run_one`` into a
   temporary directory: ``(total - dynamics - estimators) / total`` (target < 5 %), where
   *dynamics* is the time inside the jitted kernels and *estimators* the model's own measurements
   (``Simulation.timings``); also ``dynamics / total``. The overhead is everything else: the run
   loop, dataset assembly, NetCDF writing, checkpoints.
2. **MPI speed-up**: an 8-member batch of the shipped scenario (``coffee/interacting`` with
   ``--set members=8 --set params.grid_size=100``, its own size, about 4-5 s per run) launched
   as ``mpiexec -n 1 entrosim batch ...`` and
   ``mpiexec -n 2 entrosim batch ...`` subprocesses, each into its own temporary directory with
   ``--quiet``. Prints both wall times and their ratio (target >= 1.8x), the same ratio from the
   runs' own timings in the batch manifests (busiest rank, without process start-up), and whether
   every member file of the two batches is identical in data (``xarray.Dataset.identical`` after
   dropping the ``date_created`` and ``history`` attributes, which record when and how a file was
   written).

3. **Command start-up**: wall time of ``entrosim --help``, ``list``, ``validate`` of one
   shipped scenario per system (target < 0.5 s each: they import no kernels, xarray or dask
   beyond what validating needs) and of a tiny ``run`` (``coffee/interacting`` at
   ``grid_size=12``: imports, cached kernels, one short run, the NetCDF write), each the median of
   five ``python -m sims`` subprocesses.

Run from the repository root (``mpiexec`` from the ``mpich`` wheel must be on ``PATH``)::

    python benchmarks/bench_framework.py            # both parts (~2 min on 2 cores)
    python benchmarks/bench_framework.py --quick    # 4 members of n = 48 instead
    python benchmarks/bench_framework.py --skip-mpi # parts 1 and 3
    python benchmarks/bench_framework.py --startup  # part 3 only

Printed, not a timed test: the numbers depend on the machine and on what else is running on it.
The MPI ratio needs two otherwise idle cores, so the script prints how many cores other processes
kept busy just before and during each batch (``other load``: machine CPU time from /proc/stat
minus the batch's own, per second of wall time). Process start-up (imports, kernel cache loading)
does not shrink with more ranks, so short runs lower the wall-clock ratio; the ratio of the busiest
rank's run times (from the batch manifests) shows the scaling of the runs themselves.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import xarray as xr

from sims.core.batch import manifest_path, plan_runs, run_one
from sims.core.scenario import load_scenario

OVERHEAD_TARGET = 0.05  # framework share of the run time (issue #2)
SPEEDUP_TARGET = 1.8  # 8 members, 2 ranks vs 1 rank (issue #2)
STARTUP_TARGET = 0.5  # seconds for --help, list and validate (issue #18)
STARTUP_REPEATS = 5
STARTUP_SCENARIOS = (
    "coffee/interacting",
    "couzin/torus",
    "harddisc/free_expansion",
    "kleingordon/kink_antikink",
    "lastmile/baseline",
    "peccary/noises",
)
VOLATILE_ATTRIBUTES = ("date_created", "history")


def _cpu_seconds() -> tuple[float, float] | None:
    """Busy and total CPU seconds of the whole machine so far (from /proc/stat; None elsewhere)."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(value) for value in handle.readline().split()[1:]]
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / ticks, sum(fields) / ticks


def busy_cores(seconds: float = 1.0) -> float | None:
    """Cores kept busy by other processes over the next ``seconds`` (None where unknown)."""
    before = _cpu_seconds()
    time.sleep(seconds)
    after = _cpu_seconds()
    if before is None or after is None:
        return None
    return (after[0] - before[0]) / seconds


def framework_overhead(name: str, overrides: list[str], repeats: int) -> list[dict[str, float]]:
    """Run the scenario's first run ``repeats`` times in-process; return each run's timings."""
    scenario = load_scenario(name, overrides)
    scenario.system.model.warm_up()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_framework_") as directory:
        run = plan_runs(scenario, Path(directory))[0]
        for _ in range(repeats):
            timings = run_one(scenario, run).timings
            results.append(
                {
                    "total": timings.total,
                    "dynamics": timings.advance,
                    "estimators": timings.observe,
                    "assembly": timings.assemble,
                    "checkpoint": timings.checkpoint,
                }
            )
            run.path.unlink()
    return results


def entrosim_batch(
    ranks: int, scenario: str, overrides: list[str], out_dir: Path
) -> tuple[float, float | None]:
    """Run ``mpiexec -n ranks entrosim batch ...``; raise if it fails.

    Returns its wall time (s) and the average number of cores other processes kept busy
    meanwhile (machine CPU time minus the batch's own; None where /proc/stat is missing).
    """
    launcher = Path(sysconfig.get_path("scripts")) / "mpiexec"
    launcher = str(launcher) if launcher.exists() else "mpiexec"
    command = [
        launcher,
        "-n",
        str(ranks),
        sys.executable,
        "-m",
        "sims",
        "batch",
        scenario,
        "--out",
        str(out_dir),
        "--overwrite",
        "--quiet",
    ]
    for assignment in overrides:
        command += ["--set", assignment]
    machine_before = _cpu_seconds()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    tick = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - tick
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine_after = _cpu_seconds()
    if finished.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited {finished.returncode}:\n{finished.stdout}{finished.stderr}"
        )
    other = None
    if machine_before is not None and machine_after is not None:
        own = sum(
            getattr(children_after, key) - getattr(children_before, key)
            for key in ("ru_utime", "ru_stime")
        )
        other = max(0.0, (machine_after[0] - machine_before[0] - own) / seconds)
    return seconds, other


def busiest_rank_seconds(scenario, out_dir: Path) -> tuple[float, int, float]:
    """From a batch manifest: the busiest rank's summed run time (s), rank count, mean run (s)."""
    manifest = json.loads(manifest_path(scenario, out_dir).read_text())
    per_rank: dict[int, float] = {}
    runs = manifest["runs"]
    for entry in runs:
        if entry["status"] != "done":
            raise RuntimeError(f"run {entry['file']} {entry['status']}: {entry.get('error')}")
        per_rank[entry["rank"]] = per_rank.get(entry["rank"], 0.0) + entry["timings"]["total_s"]
    mean_run = sum(entry["timings"]["total_s"] for entry in runs) / len(runs)
    return max(per_rank.values()), len(per_rank), mean_run


def same_data(first: Path, second: Path) -> bool:
    """Whether two run files are identical apart from when and how they were written."""
    with xr.open_dataset(first) as a, xr.open_dataset(second) as b:
        a, b = a.load(), b.load()
    for dataset in (a, b):
        for key in VOLATILE_ATTRIBUTES:
            dataset.attrs.pop(key, None)
    return a.identical(b)


def mpi_speedup(name: str, members: int, grid_size: int, extra: list[str]) -> None:
    """Part 2: time the batch on 1 and 2 ranks, compare them, and compare their files."""
    if shutil.which("mpiexec") is None:
        print("  mpiexec not found on PATH: skipped (pip install mpich mpi4py)")
        return
    overrides = [f"members={members}", f"params.grid_size={grid_size}", *extra]
    scenario = load_scenario(name, overrides)
    runs_1 = plan_runs(scenario, Path("."))
    with tempfile.TemporaryDirectory(prefix="bench_mpi_") as directory:
        root = Path(directory)
        # warm the numba cache (and the file system) with one small serial run
        entrosim_batch(1, name, ["members=1", "params.grid_size=16"], root / "warm")
        walls, busiest, used_ranks, mean_runs, others = {}, {}, {}, {}, {}
        for ranks in (1, 2):
            out_dir = root / f"ranks{ranks}"
            walls[ranks], others[ranks] = entrosim_batch(ranks, name, overrides, out_dir)
            busiest[ranks], used_ranks[ranks], mean_runs[ranks] = busiest_rank_seconds(
                scenario, out_dir
            )
        identical = [
            same_data(root / "ranks1" / run.path.name, root / "ranks2" / run.path.name)
            for run in runs_1
        ]

    print(
        f"  batch: {name} --set members={members} --set params.grid_size={grid_size}"
        f"{''.join(' --set ' + e for e in extra)} ({len(runs_1)} runs)"
    )
    print(
        f"  {'mpiexec -n':<12}{'wall s':>9}{'busiest rank s':>16}{'mean run s':>12}"
        f"{'ranks used':>12}{'other load':>12}"
    )
    for ranks in (1, 2):
        other = "n/a" if others[ranks] is None else f"{others[ranks]:.2f}"
        print(
            f"  {ranks:<12}{walls[ranks]:>9.2f}{busiest[ranks]:>16.2f}{mean_runs[ranks]:>12.2f}"
            f"{used_ranks[ranks]:>12}{other:>12}"
        )
    ratio = walls[1] / walls[2]
    work_ratio = busiest[1] / busiest[2]
    verdict = "PASS" if ratio >= SPEEDUP_TARGET else "FAIL"
    print(
        f"  speed-up, wall clock (1 rank / 2 ranks): {ratio:.2f}x   target >= {SPEEDUP_TARGET}x: "
        f"{verdict}"
    )
    print(f"  speed-up, busiest rank's runs (no start-up): {work_ratio:.2f}x")
    startup = walls[1] - busiest[1]
    print(f"  start-up, warm-up and manifest on 1 rank: {startup:.2f} s of {walls[1]:.2f} s")
    if any(other is not None and other > 0.2 for other in others.values()):
        print(
            "  note: other processes kept cores busy during the batches ('other load', cores);"
            " rerun on an idle machine"
        )
    print(
        f"  member files identical in data (1 rank vs 2 ranks): "
        f"{sum(identical)}/{len(identical)} {'PASS' if all(identical) else 'FAIL'}"
    )


def command_seconds(arguments: list[str]) -> float:
    """Median wall time (s) of ``python -m sims ARGUMENTS`` over STARTUP_REPEATS runs."""
    walls = []
    for _ in range(STARTUP_REPEATS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "sims", *arguments], check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    return sorted(walls)[len(walls) // 2]


def command_startup() -> None:
    """Print the start-up time of the light commands against the target, and of a tiny run."""
    commands = [["--help"], ["list"]] + [["validate", name] for name in STARTUP_SCENARIOS]
    print(f"  {'command':<44}{'median s':>9}{'/ target':>10}")
    for arguments in commands:
        seconds = command_seconds(arguments)
        verdict = "PASS" if seconds < STARTUP_TARGET else "MISS"
        label = "entrosim " + " ".join(arguments)
        print(f"  {label:<44}{seconds:>9.3f}{seconds / STARTUP_TARGET:>9.2f}x {verdict}")
    with tempfile.TemporaryDirectory() as out:
        tiny = [
            "run",
            "coffee/interacting",
            "--set",
            "params.grid_size=12",
            "--set",
            "params.grain_size=3",
            "--quiet",
        ]
        seconds = command_seconds([*tiny, "--out", out, "--overwrite"])
    print(f"  {'entrosim run coffee/interacting (n = 12)':<44}{seconds:>9.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="MPI part with 4 members of n = 48, overhead part once"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="runs of the overhead scenario, best taken (default 2; 1 if --quick)",
    )
    parser.add_argument(
        "--scenario",
        default="coffee/interacting",
        help="shipped scenario name or file (default coffee/interacting)",
    )
    parser.add_argument("--members", type=int, default=None, help="members of the MPI batch (8)")
    parser.add_argument(
        "--grid-size",
        type=int,
        default=None,
        help="params.grid_size of the MPI batch (100, the shipped size)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        dest="overrides",
        metavar="KEY=VALUE",
        help="extra scenario override for both parts",
    )
    parser.add_argument("--skip-mpi", action="store_true", help="parts 1 and 3, no MPI")
    parser.add_argument("--startup", action="store_true", help="only the command start-up part")
    arguments = parser.parse_args(argv)
    repeats = arguments.repeats or (1 if arguments.quick else 2)
    members = arguments.members or (4 if arguments.quick else 8)
    grid_size = arguments.grid_size or (48 if arguments.quick else 100)

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"entrosim framework benchmark ({os.cpu_count()} cores, load average {load}; "
        f"python {sys.version.split()[0]})"
    )
    print()
    if not arguments.startup:
        framework_part(arguments, repeats)
        if not arguments.skip_mpi:
            print("2. MPI speed-up: mpiexec -n 1 vs -n 2 entrosim batch (subprocesses, --quiet)")
            busy = busy_cores()
            if busy is not None:
                note = "  (the ratio needs 2 idle cores)" if busy > 0.2 else ""
                print(
                    f"  cores busy with other work just before: {busy:.2f} of {os.cpu_count()}"
                    f"{note}"
                )
            mpi_speedup(arguments.scenario, members, grid_size, arguments.overrides)
            print()
    print(f"3. command start-up (median of {STARTUP_REPEATS} subprocesses)")
    command_startup()
    return 0


def framework_part(arguments, repeats: int) -> None:
    """Part 1: print the framework's share of a run."""
    print(
        f"1. framework overhead: {arguments.scenario}, in-process, best of {repeats} "
        "(lowest overhead share)"
    )
    results = framework_overhead(arguments.scenario, arguments.overrides, repeats)
    best = min(results, key=lambda r: (r["total"] - r["dynamics"] - r["estimators"]) / r["total"])
    framework = best["total"] - best["dynamics"] - best["estimators"]
    print(f"  {'part':<42}{'seconds':>9}{'share':>9}")
    for label, value in (
        ("dynamics (jitted kernels)", best["dynamics"]),
        ("estimators (model.observe)", best["estimators"]),
        ("framework: loop, assembly, NetCDF write, ...", framework),
        ("  of which dataset assembly", best["assembly"]),
        ("  of which checkpoints", best["checkpoint"]),
        ("total", best["total"]),
    ):
        print(f"  {label:<42}{value:>9.3f}{100 * value / best['total']:>8.1f}%")
    share = framework / best["total"]
    verdict = "PASS" if share < OVERHEAD_TARGET else "FAIL"
    print(
        f"  framework overhead (total - dynamics - estimators) / total = {100 * share:.2f}%"
        f"   target < {100 * OVERHEAD_TARGET:.0f}%: {verdict}"
    )
    print(f"  dynamics / total = {100 * best['dynamics'] / best['total']:.1f}%")
    if len(results) > 1:
        shares = ", ".join(
            f"{100 * (r['total'] - r['dynamics'] - r['estimators']) / r['total']:.2f}%"
            for r in results
        )
        print(f"  overhead of each repeat: {shares}")
    print()


if __name__ == "__main__":
    raise SystemExit(main())
