"""Couzin speed: dewi-kadita 0.0.4 side by side, large-N scaling at fixed density, dense schools.

1. dewi-kadita's torus case (N = 200, 2000 steps) and highly parallel case (N = 250, 1000 steps)
   through its ``CouzinSolver.solve`` (its configuration files, 2 Numba threads, its default of
   keeping every step), against ours at the same N and number of steps (our shipped torus and
   highly parallel scenarios, one thread, dynamics only). Compile excluded: both run a short
   warm-up first. Target: ours >= 20x faster.
2. Periodic box at fixed density, every agent perceiving tens of neighbours (zone widths
   Δr_o = 6, Δr_a = 0, so the density stays uniform), N = 10^3 .. 10^5: cost per step and per
   agent (linear scaling means a constant cost per agent) and perceived pairs per second per
   core (one thread, whole steps: neighbour search, rule, noise, turn and move; CPU time of
   the process, which time given to other processes does not inflate, though sharing caches
   and memory bandwidth still slows it; best of five runs of 3·10^4 agent-steps or more). A
   perceived pair is an ordered pair (i, j), j != i, with j within i's perception radius
   r_r + Δr_o + Δr_a (minimum image) and outside i's blind volume, i.e. a neighbour that
   enters i's zone sums; the model's ``perceived_pairs`` counter adds them up over the steps
   (tests/test_couzin_model.py checks it against a brute-force count). Candidates tested by the
   cell list but out of range or in the blind volume are not counted.
   For information (not the target), the same at N = 3·10^4 with the density scaled so that
   each agent perceives about 15, 30 or 60 neighbours.
3. A dense school (highly parallel, open space) where every agent perceives nearly all others:
   O(N^2) by the model itself; all pairs are tested (vectorised).
4. Observation of a compact school recording every step (default parameters, N = 4000, 20
   steps of 0.1 s, a record each): the share of the run's wall time spent in ``observe``
   (``Simulation.timings``) and the peak resident memory above that of the same run at N = 8
   (each run in a process of its own, ``resource.getrusage``; and, where Linux allows it to be
   reset, the peak of the run itself above the memory it started with), the previous observation
   (scipy k-d tree and pair list, tests/couzin_oracle.py) side by side with the cell-list one,
   with the ratios; then the cell-list observation at N = 2·10^4. Targets: observation at most
   25 % of the run, peak memory at most 200 MB above the small run's. Compile excluded: each
   process warms up the kernels first. Entropies "all" (the default) include the paper's
   velocity correlation over all N(N-1)/2 pairs, O(N^2) per record; "corrected" does not.

The machine may be shared: timings are the best of a few repeats and still noisy; run with
``NUMBA_NUM_THREADS=1`` for per-core figures.

Run from the repository root (part 1 needs ``pip install dewi-kadita==0.0.4``)::

    python benchmarks/bench_couzin.py [--quick] [--only observation]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numba
import numpy as np
from timing import best_of  # benchmarks/timing.py

from sims.core.scenario import load_scenario
from sims.core.simulation import Simulation
from sims.couzin.model import CouzinModel, CouzinParams

SPEEDUP_TARGET = 20.0
PAIRS_TARGET = 5e7  # perceived neighbour pairs per second per core
DEWI_CASES = {  # dewi-kadita's configs/case2_torus.txt and case4_highly_parallel.txt
    "torus": dict(
        n_fish=200,
        box_size=25.0,
        speed=1.0,
        r_repulsion=1.0,
        r_orientation=3.0,
        r_attraction=10.0,
        max_turn=0.2,
        noise=0.05,
        blind_angle=150.0,
        orientation_weight=0.1,
        torus_init=True,
        torus_radius=6.0,
        seed=42,
        steps=2000,
    ),
    "highly_parallel": dict(
        n_fish=250,
        box_size=35.0,
        speed=1.5,
        r_repulsion=1.0,
        r_orientation=12.0,
        r_attraction=20.0,
        max_turn=0.2,
        noise=0.05,
        blind_angle=20.0,
        seed=789,
        steps=1000,
    ),
}
SCALING_DENSITY = 0.025  # agents per BL^3: about 30 perceived neighbours at r = 7 BL
SCALING_ZONES = dict(orientation_width=6.0, attraction_width=0.0)
NEIGHBOURS = (15, 30, 60)  # perceived neighbours per agent in the informative density sweep
OBSERVED_AGENTS, OBSERVED_STEPS, SMALL_AGENTS, LARGE_AGENTS = 4_000, 20, 8, 20_000
OBSERVE_SHARE_TARGET = 0.25
MEMORY_TARGET_MB = 200.0


def dewi_kadita_seconds(case: dict) -> float | None:
    """Seconds of dewi-kadita's solver on one of its cases (None if it is not installed)."""
    try:
        from dewi_kadita.core.solver import CouzinSolver
        from dewi_kadita.core.systems import CouzinSystem
    except ImportError:
        return None
    settings = dict(case)
    steps = settings.pop("steps")
    solver = CouzinSolver(dt=0.1, use_numba=True)
    solver.solve(CouzinSystem(**{**settings, "n_fish": 20}), n_steps=5, verbose=False)  # compile

    def run():
        solver.solve(CouzinSystem(**settings), n_steps=steps, verbose=False)

    seconds, _ = best_of(run, 1)
    return seconds


def our_seconds(name: str, n_agents: int, steps: int, repeats: int) -> float:
    """Seconds of ``steps`` steps of our shipped scenario ``name`` at ``n_agents`` agents."""
    params = load_scenario(f"couzin/{name}").params.model_copy(update={"n_agents": n_agents})
    CouzinModel.warm_up()
    seconds, _ = best_of(
        lambda: CouzinModel(params, np.random.SeedSequence(1)).advance(steps), repeats
    )
    return seconds


def side_by_side(quick: bool) -> None:
    print("1. dewi-kadita 0.0.4 vs entrosim (compile excluded)")
    print(
        f"{'case':>16} {'N':>5} {'steps':>6} {'dewi-kadita (s)':>16} {'ours (s)':>9} {'ratio':>7}"
    )
    for name, case in DEWI_CASES.items():
        steps = case["steps"] // (10 if quick else 1)
        ours = our_seconds(name, case["n_fish"], steps, repeats=3)
        theirs = dewi_kadita_seconds({**case, "steps": steps})
        if theirs is None:
            print(f"{name:>16} {case['n_fish']:>5} {steps:>6} {'not installed':>16} {ours:9.3f}")
            continue
        ratio = theirs / ours
        flag = "ok" if ratio >= SPEEDUP_TARGET else f"below the {SPEEDUP_TARGET:g}x target"
        print(
            f"{name:>16} {case['n_fish']:>5} {steps:>6} {theirs:16.2f} {ours:9.3f} "
            f"{ratio:6.0f}x {flag}"
        )


def periodic_step(n: int, density: float) -> tuple[float, float, float]:
    """Box side, best seconds per step and perceived pairs per step, periodic box, one thread."""
    box = (n / density) ** (1 / 3)
    params = CouzinParams(
        n_agents=n,
        boundary="periodic",
        box_size=box,
        initial_region="box",
        entropies="none",
        **SCALING_ZONES,
    )
    steps = max(5, 30_000 // n)  # short: the density stays uniform
    times, perceived = [], 0.0
    for _ in range(5):  # the same fresh start each time: the best of five
        model = CouzinModel(params, np.random.SeedSequence(2))
        model.advance(1)
        before = model.perceived_pairs
        tick = time.process_time()
        model.advance(steps)
        times.append((time.process_time() - tick) / steps)
        perceived = (model.perceived_pairs - before) / steps
    return box, min(times), perceived


def periodic_scaling(quick: bool) -> None:
    print(f"\n2. periodic box, density {SCALING_DENSITY} BL^-3, Δr_o = 6, Δr_a = 0 (one thread)")
    print(
        f"{'N':>7} {'L (BL)':>7} {'ms/step':>9} {'us/agent':>9} {'perceived':>10} "
        f"{'pairs/s/core':>13}"
    )
    sizes = (1_000, 10_000) if quick else (1_000, 3_000, 10_000, 30_000, 100_000)
    numba.set_num_threads(1)
    CouzinModel.warm_up()
    periodic_step(sizes[0], SCALING_DENSITY)  # untimed: the first periodic runs are slower
    for n in sizes:
        box, seconds, perceived = periodic_step(n, SCALING_DENSITY)
        rate = perceived / seconds
        print(
            f"{n:>7} {box:7.1f} {seconds * 1e3:9.3f} {seconds / n * 1e6:9.3f} "
            f"{perceived / n:10.1f} {rate:13.3g}" + ("" if rate >= PAIRS_TARGET else " (below 5e7)")
        )
    n = 10_000 if quick else 30_000
    print(f"\n   for information: N = {n}, density scaled to the perceived neighbours")
    print(f"{'density':>9} {'perceived':>10} {'us/agent':>9} {'pairs/s/core':>13}")
    for neighbours in NEIGHBOURS:
        density = SCALING_DENSITY * neighbours / 30
        _, seconds, perceived = periodic_step(n, density)
        print(
            f"{density:9.4f} {perceived / n:10.1f} {seconds / n * 1e6:9.3f} "
            f"{perceived / seconds:13.3g}"
        )
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)


def dense_school(quick: bool) -> None:
    print("\n3. dense school (highly parallel, open space): every agent perceives most others")
    print(f"{'N':>7} {'ms/step':>9} {'perceived':>10} {'pairs/s/core':>13}")
    numba.set_num_threads(1)
    for n in (500, 1_000) if quick else (500, 1_000, 2_000, 4_000):
        params = load_scenario("couzin/highly_parallel").params.model_copy(update={"n_agents": n})
        model = CouzinModel(params, np.random.SeedSequence(3))
        model.advance(50)  # let the school form
        steps = max(3, 2_000_000 // (n * n))
        before = model.perceived_pairs
        elapsed, _ = best_of(lambda m=model, s=steps: m.advance(s), 1)
        seconds = elapsed / steps
        perceived = (model.perceived_pairs - before) / steps
        print(f"{n:>7} {seconds * 1e3:9.3f} {perceived / n:10.1f} {perceived / seconds:13.3g}")
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)


class PreviousObservation(CouzinModel):
    """The model with the observation it had before (scipy k-d tree and pair list)."""

    def observe(self):
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from tests.couzin_oracle import previous_observation

        record = {"step": self.step_count, "perceived_pairs": self.perceived_pairs}
        record.update(previous_observation(self.params, self.positions, self.headings))
        stride = self.params.snapshot_stride
        if stride and (self.step_count // self.params.record_stride) % stride == 0:
            record["positions"] = self.positions.copy()
            record["headings"] = self.headings.copy()
        return record


def observation_run(case: dict) -> dict:
    """One run recording every step (in this process): its timings and peak memory."""
    CouzinModel.warm_up()
    params = CouzinParams(
        n_agents=case["agents"],
        duration=case["steps"] * 0.1,
        time_step=0.1,
        record_interval=0.1,
        entropies=case["entropies"],
    )
    model_class = PreviousObservation if case["observation"] == "scipy" else CouzinModel
    simulation = Simulation(model_class(params, np.random.SeedSequence(1)))
    start_mb = reset_peak_memory()
    simulation.run()
    timings = simulation.timings
    return {
        "advance": timings.advance,
        "observe": timings.observe,
        "total": timings.total,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # kB on Linux
        "run_peak_mb": None if start_mb is None else memory_mb("VmHWM") - start_mb,
    }


def memory_mb(field: str) -> float:
    """``VmRSS`` or ``VmHWM`` (peak) of this process (MB), from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def reset_peak_memory() -> float | None:
    """Reset this process's peak resident memory (Linux); its resident memory now (MB)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return memory_mb("VmRSS")
    except OSError:
        return None


def observation_in_child(**case) -> dict:
    """:func:`observation_run` in a fresh process, so that its peak memory is its own."""
    result = subprocess.run(
        [sys.executable, __file__, "--observation-run", json.dumps(case)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


def observation(quick: bool) -> None:
    steps = OBSERVED_STEPS // (4 if quick else 1)
    print(
        f"\n4. compact school, N = {OBSERVED_AGENTS}, {steps} steps recorded each: observation "
        f"share of the run and peak memory above N = {SMALL_AGENTS}"
    )
    print(
        f"{'observation':>11} {'entropies':>9} {'run (s)':>8} {'observe (s)':>11} "
        f"{'share':>6} {'peak (MB)':>9} {'above small':>11} {'run peak':>9}"
    )
    results = {}
    cases = [("scipy", "all"), ("cells", "all"), ("cells", "corrected")]
    for observation_kind, entropies in cases:
        case = dict(observation=observation_kind, steps=steps, entropies=entropies)
        small = observation_in_child(agents=SMALL_AGENTS, **case)
        run = observation_in_child(agents=OBSERVED_AGENTS, **case)
        share = run["observe"] / run["total"]
        above = run["peak_mb"] - small["peak_mb"]
        results[observation_kind, entropies] = run, above
        flags = []
        if share > OBSERVE_SHARE_TARGET:
            flags.append(f"share above {OBSERVE_SHARE_TARGET:.0%}")
        if above > MEMORY_TARGET_MB:
            flags.append(f"above {MEMORY_TARGET_MB:.0f} MB")
        run_peak = "" if run["run_peak_mb"] is None else f"{run['run_peak_mb']:9.0f}"
        print(
            f"{observation_kind:>11} {entropies:>9} {run['total']:8.2f} {run['observe']:11.2f} "
            f"{share:6.1%} {run['peak_mb']:9.0f} {above:11.0f} {run_peak:>9}  " + "; ".join(flags)
        )
    (old, old_above), (new, new_above) = results["scipy", "all"], results["cells", "all"]
    memory = f"{old_above:.0f} vs {new_above:.0f} MB above the small run"
    if old["run_peak_mb"] is not None:
        memory += f", runs' own peaks {old['run_peak_mb']:.0f} vs {new['run_peak_mb']:.0f} MB"
    print(
        f"   cells vs scipy (entropies all): observe {old['observe'] / new['observe']:.0f}x "
        f"faster, run {old['total'] / new['total']:.1f}x faster; {memory}"
    )
    large_steps = 2 if quick else 5
    print(f"   N = {LARGE_AGENTS} (cells), {large_steps} steps recorded each:")
    for entropies in ("all", "corrected"):
        case = dict(observation="cells", steps=large_steps, entropies=entropies)
        small = observation_in_child(agents=SMALL_AGENTS, **case)
        run = observation_in_child(agents=LARGE_AGENTS, **case)
        records = large_steps + 1
        own = run["run_peak_mb"]
        run_peak = "" if own is None else f" (the run's own peak: {own:.0f} MB)"
        print(
            f"{'':>3} entropies {entropies:>9}: {run['advance'] / large_steps:6.3f} s per step, "
            f"{run['observe'] / records:6.3f} s per record ({run['observe'] / run['total']:.0%} "
            f"of the run), peak {run['peak_mb'] - small['peak_mb']:.0f} MB above N = "
            f"{SMALL_AGENTS}{run_peak}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and sizes")
    parser.add_argument("--only", choices=["observation"], help="run one part only")
    parser.add_argument("--observation-run", help=argparse.SUPPRESS)  # a child of part 4
    arguments = parser.parse_args()
    if arguments.observation_run:
        print(json.dumps(observation_run(json.loads(arguments.observation_run))))
        return
    if arguments.only is None:
        side_by_side(arguments.quick)
        periodic_scaling(arguments.quick)
        dense_school(arguments.quick)
    observation(arguments.quick)


if __name__ == "__main__":
    main()
