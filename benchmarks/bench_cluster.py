"""Cluster-scale runs (issue #17): memory in the number of records, checkpoint cost, load
balance over ranks, per-run overhead, and out-of-core merge.

Each part prints entrosim's figure beside the way the engine worked before (records held in
memory and pickled into each checkpoint; runs dealt to ranks by striding), measured in the same
script run, and the issue's target:

1. **Peak memory vs records**: ``kleingordon/kink_antikink`` (snapshots every other record) with
   10x more records (record interval ÷ 10), as subprocesses (``ru_maxrss``); streamed records
   against every record kept in memory (``SEGMENT_BYTES`` set beyond the run's records).
   Target: 10x the records grows peak memory by <= 10 %.
2. **Checkpoint cost**: the same scenario checkpointing after every record, for a duration T and
   2T (target: <= 2.2x the time; the old engine re-pickled every record: 4.2x), and the share of
   a run taken by checkpoints at the default 300 s interval, from the measured cost of one.
3. **Load balance** on 2 ranks: a coffee sweep ``grid_size: [64, 16, 64, 16]`` and a 64-run size
   sweep (n = 16, 18, ..., 142), under ``mpiexec -n 2``: the busiest rank's summed run time over
   the mean (target <= 1.1), beside what striding (``runs[rank::2]``) gives with the same
   measured run times.
4. **Per-run overhead**: 1000 tiny coffee runs (n = 4) on 2 ranks; (wall - start-up) x ranks /
   runs - the runs' own dynamics and estimators (target <= 50 ms).
5. **Merge** of those 1000 files with ``entrosim merge``: peak memory above the interpreter's,
   against 2 x the largest file + the merged output (target: not more).

Run from the repository root::

    python benchmarks/bench_cluster.py            # every part (~5 min on 2 cores)
    python benchmarks/bench_cluster.py --quick    # shorter runs, 200 tiny runs
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sims.core.batch import manifest_path
from sims.core.scenario import load_scenario

GROWTH_TARGET = 0.10
CHECKPOINT_RATIO_TARGET = 2.2
CHECKPOINT_SHARE_TARGET = 0.05
DEFAULT_INTERVAL = 300.0
BALANCE_TARGET = 1.1
OVERHEAD_TARGET = 0.050
KINK = "kleingordon/kink_antikink"


def mpiexec() -> str:
    beside = Path(sys.executable).parent / "mpiexec"
    return str(beside) if beside.exists() else "mpiexec"


def entrosim(
    arguments: list[str], ranks: int | None = None, prelude: str = ""
) -> tuple[float, float]:
    """Run ``entrosim ARGUMENTS`` in a fresh process; return (wall s, peak RSS MiB).

    ``prelude`` is Python run first in that process (to set up the old engine's behaviour).
    """
    code = f"import sys\n{prelude}\nfrom sims.cli import main\nsys.exit(main(sys.argv[1:]))"
    command = [sys.executable, "-c", code, *arguments]
    if ranks:
        command = [mpiexec(), "-n", str(ranks), *command]
    script = (
        "import resource, subprocess, sys, time\n"
        "tick = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - tick\n"
        "if done.returncode:\n"
        "    sys.exit(done.stdout + done.stderr)\n"
        "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *command], capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr}")
    wall, rss = result.stdout.split()
    return float(wall), float(rss)


def scenario(root: Path, name: str, system: str, members: int, params: dict, **extra) -> Path:
    """Write a scenario whose runs go to ``root/name``; return its path."""
    path = root / f"{name}.yaml"
    output = {"dir": str(root / name), "checkpoint_interval": None, **extra.pop("output", {})}
    document = {"system": system, "name": name, "seed": 1, "members": members, "output": output}
    path.write_text(json.dumps({**document, "params": params, **extra}))
    return path


def memory_vs_records(root: Path, quick: bool, couzin_records: int) -> None:
    duration = 100.0 if quick else 200.0
    cases = [(f"{KINK}, snapshots every 2nd record", KINK, duration, 0.25, [])]
    if couzin_records:  # N = 2·10⁴, a snapshot every record; 10x the records = a record per step
        couzin = ["params.n_agents=20000", "params.snapshot_stride=1", "params.time_step=0.1"]
        title = "couzin/torus, N = 2·10⁴, a snapshot per record"
        cases.append((title, "couzin/torus", couzin_records * 0.1, 1.0, couzin))
    keep_all = "import sims.core.record_log as log; log.SEGMENT_BYTES = 1 << 62"
    print("1. peak memory vs records")
    for title, name, duration, interval, overrides in cases:
        overrides = [*overrides, f"params.duration={duration}"]
        print(f"  {title}")
        print(f"  {'engine':<30}{'records':>9}{'peak MiB':>10}{'10x records':>13}{'growth':>9}")
        base = ["run", name, "--quiet", "--overwrite", "--set", "output.checkpoint_interval=null"]
        for assignment in overrides:
            base += ["--set", assignment]
        for label, prelude in (("streamed (segments)", ""), ("all records in memory", keep_all)):
            peaks = []
            for scale in (1, 10):
                arguments = [*base, "--out", str(root / f"mem{scale}")]
                arguments += ["--set", f"params.record_interval={interval / scale}"]
                peaks.append(entrosim(arguments, prelude=prelude)[1])
            growth = peaks[1] / peaks[0] - 1
            verdict = "PASS" if growth <= GROWTH_TARGET else "FAIL"
            records = round(duration / interval) + 1
            print(
                f"  {label:<30}{records:>9}{peaks[0]:>10.0f}{peaks[1]:>13.0f}"
                f"{100 * growth:>8.1f}%"
                + (f"   target <= {100 * GROWTH_TARGET:.0f}%: {verdict}" if not prelude else "")
            )


def checkpoint_cost(quick: bool) -> None:
    import numpy as np

    from sims.core import fingerprint
    from sims.core.simulation import Simulation

    scenario = load_scenario(KINK)
    model_class = scenario.system.model
    model_class.warm_up()
    duration = 50.0 if quick else 100.0
    print(f"2. checkpoint cost: {KINK}, a checkpoint after every record")
    print(f"  {'duration':>9}{'records':>9}{'total s':>9}{'checkpoints s':>15}{'per ckpt ms':>13}")
    totals, per_checkpoint = [], []
    with tempfile.TemporaryDirectory(prefix="bench_ckpt_") as directory:
        for scale in (1, 2):
            params = scenario.points[0].params.model_copy(update={"duration": duration * scale})
            path = Path(directory) / f"run{scale}.ckpt"
            simulation = Simulation(
                model_class(params, np.random.SeedSequence(0)),
                path,
                checkpoint_interval=0.0,
                identity=fingerprint.checkpoint_identity("bench"),
            )
            simulation.run()
            simulation.discard_checkpoint()
            timings, records = simulation.timings, len(simulation.log)
            totals.append(timings.total)
            per_checkpoint.append(timings.checkpoint / (records - 1))
            print(
                f"  {duration * scale:>9g}{records:>9}{timings.total:>9.2f}"
                f"{timings.checkpoint:>15.2f}{1e3 * per_checkpoint[-1]:>13.2f}"
            )
    ratio = totals[1] / totals[0]
    verdict = "PASS" if ratio <= CHECKPOINT_RATIO_TARGET else "FAIL"
    print(
        f"  twice as long costs {ratio:.2f}x (old engine 4.2x)   "
        f"target <= {CHECKPOINT_RATIO_TARGET}x: {verdict}"
    )
    share = max(per_checkpoint) / DEFAULT_INTERVAL
    verdict = "PASS" if share <= CHECKPOINT_SHARE_TARGET else "FAIL"
    print(
        f"  at the default {DEFAULT_INTERVAL:g} s interval checkpoints take {100 * share:.4f}% "
        f"of a run   target <= {100 * CHECKPOINT_SHARE_TARGET:.0f}%: {verdict}"
    )


def _busy_by_rank(entries: list[dict]) -> dict[int, float]:
    busy: dict[int, float] = {}
    for entry in entries:
        busy[entry["rank"]] = busy.get(entry["rank"], 0.0) + entry["timings"]["total_s"]
    return busy


def _striding(entries: list[dict], ranks: int) -> list[float]:
    ordered = sorted(entries, key=lambda entry: entry["file"])  # the plan's order
    return [sum(e["timings"]["total_s"] for e in ordered[rank::ranks]) for rank in range(ranks)]


def load_balance(root: Path, quick: bool) -> None:
    print("3. load balance on 2 ranks (busiest rank's run time / mean over ranks)")
    print(f"  {'sweep':<44}{'runs':>6}{'dynamic':>9}{'striding':>10}")
    sizes = list(range(16, 144, 4 if quick else 2))
    for label, sweep, members in (
        ("coffee grid_size [64, 16, 64, 16]", [64, 16, 64, 16], 1),
        (f"coffee size sweep n = {sizes[0]}, {sizes[1]}, ..., {sizes[-1]}", sizes, 1),
    ):
        name = f"balance{len(sweep)}"
        scenario_path = scenario(
            root, name, "coffee", members, {"model": "interacting"},
            sweep={"params.grid_size": sweep},
        )  # fmt: skip
        out = root / name
        entrosim(["batch", str(scenario_path), "--quiet", "--overwrite"], ranks=2)
        loaded = load_scenario(str(scenario_path))
        entries = json.loads(manifest_path(loaded, out).read_text())["runs"]
        busy = list(_busy_by_rank(entries).values())
        dynamic = max(busy) / (sum(busy) / 2)
        strided = _striding(entries, 2)
        static = max(strided) / (sum(strided) / 2)
        verdict = "PASS" if dynamic <= BALANCE_TARGET else "FAIL"
        print(
            f"  {label:<44}{len(entries):>6}{dynamic:>9.3f}{static:>10.3f}"
            f"   target <= {BALANCE_TARGET}: {verdict}"
        )


def overhead_and_merge(root: Path, quick: bool) -> None:
    runs = 200 if quick else 1000
    tiny = {"model": "interacting", "grid_size": 4, "grain_size": 3, "n_records": 3,
            "compressors": ["zlib"]}  # fmt: skip
    scenario_path = scenario(root, "tiny", "coffee", runs, tiny)
    out = root / "tiny"
    one = scenario(root, "one", "coffee", 1, tiny)
    startup, _ = entrosim(["batch", str(one), "--quiet", "--overwrite"], ranks=2)
    wall, _ = entrosim(["batch", str(scenario_path), "--quiet", "--overwrite"], ranks=2)
    entries = json.loads((out / "tiny_manifest.json").read_text())["runs"]
    own = sum(e["timings"]["dynamics_s"] + e["timings"]["diagnostics_s"] for e in entries)
    per_run = ((wall - startup) * 2 - own) / runs
    verdict = "PASS" if per_run <= OVERHEAD_TARGET else "FAIL"
    print(f"4. per-run overhead: {runs} tiny coffee runs (n = 4) on 2 ranks")
    print(f"  batch {wall:.2f} s, start-up alone {startup:.2f} s, runs' own work {own:.2f} s")
    print(
        f"  overhead per run (spawn, validation, scheduling, write, manifest): "
        f"{1e3 * per_run:.1f} ms   target <= {1e3 * OVERHEAD_TARGET:.0f} ms: {verdict}"
    )
    print(f"  => 10^4 runs on 2 ranks: {per_run * 1e4 / 2 / 60:.1f} min of overhead")

    print("5. entrosim merge: peak memory above a merge of one tiny run")
    print(f"  {'runs':>6}{'largest MiB':>13}{'total MiB':>11}{'chunk MiB':>11}{'peak above':>12}")
    single = root / "single"
    single.mkdir()
    shutil.copy(sorted(out.glob("tiny_m*.nc"))[0], single)
    baseline = entrosim(["merge", str(single)])[1]
    fields = {"points": 4096, "length": 200.0, "time_step": 0.02, "duration": 40.0,
              "record_interval": 0.1, "noise_amplitude": 0.01, "probes": [0.0]}  # fmt: skip
    large_path = scenario(
        root, "large", "kleingordon", 8 if quick else 16, fields, output={"complevel": 1}
    )
    large = root / "large"
    entrosim(["batch", str(large_path), "--quiet", "--overwrite"], ranks=2)
    for directory, name in ((out, "tiny"), (large, "large")):
        files = sorted(directory.glob(f"{name}_m*.nc"))
        largest = max(path.stat().st_size for path in files) / 2**20
        total = sum(path.stat().st_size for path in files) / 2**20
        _, peak = entrosim(["merge", str(directory), "--overwrite"])
        import xarray as xr

        with xr.open_dataset(files[0]) as one:
            chunk = max(variable.nbytes for variable in one.variables.values()) / 2**20
        above = peak - baseline
        bound = 2 * largest + chunk
        verdict = "PASS" if above <= bound else "FAIL"
        print(
            f"  {len(files):>6}{largest:>13.2f}{total:>11.1f}{chunk:>11.1f}{above:>12.1f}"
            f"   target <= 2 x largest + chunk = {bound:.1f}: {verdict}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs, 200 tiny runs")
    parser.add_argument(
        "--parts", default="12345", help="which parts to run, e.g. 13 (default all)"
    )
    parser.add_argument(
        "--couzin-records",
        type=int,
        default=0,
        help="part 1 also runs Couzin N = 2·10⁴ with this many records at 10x (e.g. 1000: "
        "~20 min; 10000: hours)",
    )
    arguments = parser.parse_args(argv)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"entrosim cluster-scale benchmark ({os.cpu_count()} cores, load average {load})")
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with tempfile.TemporaryDirectory(prefix="bench_cluster_") as directory:
        root = Path(directory)
        parts = {
            "1": lambda: memory_vs_records(root, arguments.quick, arguments.couzin_records),
            "2": lambda: checkpoint_cost(arguments.quick),
            "3": lambda: load_balance(root, arguments.quick),
            "4": lambda: overhead_and_merge(root, arguments.quick),
        }
        for key in sorted(set(arguments.parts.replace("5", "4"))):
            print()
            tick = time.perf_counter()
            parts[key]()
            print(f"  ({time.perf_counter() - tick:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
