"""Speed of the coffee automaton: kernels on one core, and a shipped run to equilibrium.

Measures (compile time excluded: every kernel is called once before it is timed, and the kernels
are compiled with ``cache=True`` so later runs load them from the cache):

1. **Interacting kernel** (``sims.coffee.kernels.interacting_swaps``): attempted swaps per second
   on one core, on the ``n = 100`` grid of the shipped scenario, for at least 5e7 attempts
   (1e8 by default), once from the initial half-and-half grid and once on a mixed (equilibrium)
   grid. Target: >= 5e7 attempts/s (issue #4, "Performance").
2. **Non-interacting kernel** (``random_walk_steps``): particle moves per second (walkers x steps)
   for the ``n = 100`` grid (5000 walkers). Informational, no target.
3. **Shipped scenario ``coffee/interacting``** (``n = 100``, to ``t = n^2`` sweeps, by which the
   cup is mixed), run through ``load_scenario`` + ``sims.core.batch.run_one`` into a temporary
   directory: total wall time, time in the jitted dynamics and time in the estimators (must not
   dominate), plus the estimators' cost per record broken down into coarse-graining, block
   entropies and each compressor (timed again on the run's stored snapshots).

Run from the repository root::

    python benchmarks/bench_coffee.py            # full benchmark (~25 s)
    python benchmarks/bench_coffee.py --quick    # fewer attempts, smaller checks (~10 s)

Printed, not a timed test: the numbers depend on the machine. ``--attempts`` sets the timed kernel
work; ``--repeats`` takes the best of several timings.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from timing import best_of  # benchmarks/timing.py

from analysis import compression
from sims.coffee import diagnostics, kernels
from sims.coffee.model import CoffeeParams
from sims.core.batch import plan_runs, run_one
from sims.core.rng import xoshiro_state
from sims.core.scenario import load_scenario

SWAP_TARGET = 5e7  # attempted swaps per second on one core (issue #4)


def bench_interacting(n: int, attempts: int, repeats: int, mixed: bool) -> tuple[float, float]:
    """Attempted swaps per second from the initial half-and-half grid, or on a mixed grid.

    Each repeat starts from a fresh copy of the grid. From the initial grid, the first attempts
    mostly meet equal cells (nothing to swap); on a mixed (equilibrium) grid half the attempts
    swap, which makes the kernel's branch unpredictable: the two rows bracket a run's rate.
    """
    start = np.zeros((n, n), dtype=np.uint8)
    start[: n // 2] = 1
    if mixed:
        start = np.random.default_rng(3).permutation(start.reshape(-1)).reshape(n, n)
    state = xoshiro_state(np.random.SeedSequence(1))
    kernels.interacting_swaps(start.copy(), 1000, False, state)  # compile or load from cache
    grids = [start.copy() for _ in range(repeats)]
    seconds, _ = best_of(
        lambda: kernels.interacting_swaps(grids.pop(), attempts, False, state), repeats
    )
    return attempts / seconds, seconds


def bench_non_interacting(n: int, moves: int, repeats: int) -> tuple[float, float]:
    """Particle moves (walkers x steps) per second for the n x n cup's n^2/2 walkers."""
    rows, columns = np.divmod(np.arange(n * n // 2), n)
    rows, columns = rows.astype(np.int32), columns.astype(np.int32)
    counts = np.zeros((n, n), dtype=np.uint16)
    counts[rows, columns] = 1
    state = xoshiro_state(np.random.SeedSequence(2))
    kernels.random_walk_steps(rows, columns, counts, 1, False, state)  # compile or load
    steps = max(1, moves // rows.size)
    seconds, _ = best_of(
        lambda: kernels.random_walk_steps(rows, columns, counts, steps, False, state), repeats
    )
    return steps * rows.size / seconds, seconds


def bench_scenario(name: str, overrides: list[str]) -> tuple[object, object, int]:
    """Run the scenario's first run into a temporary directory; return it, the run, file bytes."""
    scenario = load_scenario(name, overrides)
    scenario.system.model.warm_up()
    with tempfile.TemporaryDirectory(prefix="bench_coffee_") as directory:
        run = plan_runs(scenario, Path(directory))[0]
        simulation = run_one(scenario, run)
        size = run.path.stat().st_size
    return scenario, simulation, size


def estimator_breakdown(simulation, params: CoffeeParams) -> dict[str, float]:
    """Seconds per record of each estimator, re-timed on the run's own recorded grids."""
    grids = [record["cream"] for record in simulation.records if "cream" in record]
    if not grids:
        return {}
    periodic = params.boundary == "periodic"
    exclusion = params.model == "interacting"
    parts: dict[str, float] = {}

    def timed(label, function):
        tick = time.perf_counter()
        for grid in grids:
            function(grid)
        parts[label] = (time.perf_counter() - tick) / len(grids)

    def coarse(grid):
        return diagnostics.coarse_grain(
            grid, params.grain, params.buckets, params.adjusted_buckets, periodic
        )

    coarse_grids = [coarse(grid) for grid in grids]
    timed("coarse-graining (2 methods)", coarse)
    timed(
        "block entropies", lambda grid: diagnostics.block_entropies(grid, params.block, exclusion)
    )
    for name in params.compressors:
        tick = time.perf_counter()
        for grid, coarse_pair in zip(grids, coarse_grids, strict=True):
            compression.compressed_size(grid, name)
            for picture in coarse_pair:
                compression.compressed_size(picture, name)
        parts[f"{name} (fine + 2 coarse)"] = (time.perf_counter() - tick) / len(grids)
    return parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewer timed attempts and moves (still >= 5e7 attempts)",
    )
    parser.add_argument(
        "--attempts",
        type=float,
        default=None,
        help="attempted swaps timed per repeat (default 1e8, 5e7 with --quick)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="repeats of each kernel timing, best taken (default 3; 1 if --quick)",
    )
    parser.add_argument(
        "--scenario",
        default="coffee/interacting",
        help="shipped scenario name or file for part 3 (coffee/interacting)",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        dest="overrides",
        metavar="KEY=VALUE",
        help="override a scenario key for part 3",
    )
    arguments = parser.parse_args(argv)
    attempts = int(arguments.attempts or (5e7 if arguments.quick else 1e8))
    repeats = arguments.repeats or (1 if arguments.quick else 3)
    moves = attempts // 2
    n = 100

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"entrosim coffee benchmark (one core; compile time excluded; {os.cpu_count()} cores, "
        f"load average {load})"
    )
    print()
    print(f"1-2. kernels, n = {n}, best of {repeats}")
    print(f"  {'kernel':<34}{'work':>10}{'seconds':>10}{'rate':>14}  target")
    verdicts = []
    for mixed in (False, True):
        rate, seconds = bench_interacting(n, attempts, repeats, mixed)
        verdicts.append(rate >= SWAP_TARGET)
        label = "interacting_swaps, " + ("mixed grid" if mixed else "from t = 0")
        print(
            f"  {label:<34}{attempts:>10.3g}{seconds:>10.3f}{rate:>10.3g} /s"
            f"  >= {SWAP_TARGET:.0e} attempts/s: {'PASS' if verdicts[-1] else 'FAIL'}"
        )
    move_rate, move_seconds = bench_non_interacting(n, moves, repeats)
    print(
        f"  {'random_walk_steps (5000 walkers)':<34}{moves:>10.3g}{move_seconds:>10.3f}"
        f"{move_rate:>10.3g} /s"
        f"  (particle moves, no target)"
    )
    print()

    scenario, simulation, size = bench_scenario(arguments.scenario, arguments.overrides)
    params = scenario.points[0].params
    timings = simulation.timings
    records = len(simulation.records)
    end = params.end_time
    print(
        f"3. scenario {arguments.scenario}: n = {params.grid_size}, {params.model}, "
        f"t = 0..{end:g} {simulation.model.time_units}s, "
        f"{records} records, compressors {', '.join(params.compressors)}"
    )
    attempts_run = simulation.model.step_count
    rows = [
        ("dynamics (jitted kernel)", timings.advance),
        ("estimators (observe)", timings.observe),
        ("dataset assembly", timings.assemble),
        ("checkpoints", timings.checkpoint),
        (
            "rest (NetCDF write, loop)",
            timings.total
            - timings.advance
            - timings.observe
            - timings.assemble
            - timings.checkpoint,
        ),
        ("total wall time", timings.total),
    ]
    print(f"  {'part':<30}{'seconds':>10}{'share':>9}")
    for label, value in rows:
        print(f"  {label:<30}{value:>10.3f}{100 * value / timings.total:>8.1f}%")
    if params.model == "interacting":
        print(
            f"  dynamics rate: {attempts_run / timings.advance:.3g} attempted swaps/s "
            f"({attempts_run:.3g} attempts)"
        )
    dominated = timings.observe > timings.advance
    print(
        f"  estimators / dynamics = {timings.observe / timings.advance:.3f}: "
        f"{'FAIL (estimators dominate)' if dominated else 'PASS (estimators do not dominate)'}"
    )
    print(f"  estimators per record: {1e3 * timings.observe / records:.2f} ms")
    print(f"  output file (temporary, removed): {size / 1e6:.2f} MB")
    parts = estimator_breakdown(simulation, params)
    if parts:
        print()
        print(f"  estimator cost per record, re-timed on the run's {records} stored grids")
        print(f"  {'estimator':<30}{'ms/record':>10}{'share':>9}")
        total = sum(parts.values())
        for label, value in parts.items():
            print(f"  {label:<30}{1e3 * value:>10.3f}{100 * value / total:>8.1f}%")
        print(f"  {'sum':<30}{1e3 * total:>10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
