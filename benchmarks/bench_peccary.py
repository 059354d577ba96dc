"""PECCARY speed: orbit integration, the workflow against the ``peccary`` package, the survey.

1. Leapfrog steps per second in the logarithmic potential (one orbit, 10^7 steps, and 1000
   orbits x 10^4 steps), single core; Yoshida 4 and the rotating bar for reference.
   Target: >= 5e6 leapfrog steps/s/core.
2. H and C of orbit series (10^4 samples) over 20 delays: ours (``sims.peccary.workflow.analyse``,
   one compiled pass over all delays, plus t_nat, PECCARY delay and classification) against
   peccary 0.1.1 ``calcHCcurves`` (one Python pass per delay), on the same series, with the
   largest difference of H and C.
3. The survey ``sweeps/peccary_orbit_survey`` (10^3 orbits x 10^4 samples, 10 leapfrog steps per
   sample, 20 delays, 20 runs) under ``mpiexec -n 2``: wall time of the whole command (Python
   start, Numba cache load, NetCDF writes included). Target: < 60 s.
4. Double pendulum, 1000 s at Δt = 2^-6: ours (RK4, h = 2^-12, energy error printed) against
   peccary's ``doublePendulum.integrate`` (scipy solve_ivp RK45, default tolerances).

Compile time is excluded (warm-up first). Run from the repository root (``pip install
peccary==0.1.1`` for parts 2 and 4)::

    python benchmarks/bench_peccary.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from sims.peccary import generators, orbits
from sims.peccary.model import PeccaryModel, PeccaryParams
from sims.peccary.workflow import analyse

STEPS_TARGET = 5e6
SURVEY_TARGET_SECONDS = 60.0
LOGARITHMIC = np.array([1.0, 0.1, 1.0, 0.9])
BAR = np.array([1.0, 0.1, 0.8, 1.0])


def steps_per_second(integrator, omega, constants, n_orbits, steps_per_orbit):
    """Steps per second of ``orbits.advance`` and the max |ΔE| (one record per 1000 steps)."""
    stages, cos, sin = generators.integrator_tables(integrator, 0.01, omega)
    rng = np.random.default_rng(0)
    phase = np.column_stack(
        [
            rng.uniform(0.5, 1.5, n_orbits),
            np.zeros(n_orbits),
            rng.uniform(0, 0.2, n_orbits),
            np.zeros(n_orbits),
            rng.uniform(0.5, 0.9, n_orbits),
            rng.uniform(0, 0.2, n_orbits),
        ]
    )
    substeps = 1000
    records = steps_per_orbit // substeps
    out = np.empty((n_orbits, records))
    invariant = np.empty((n_orbits, records))
    variables = np.array([orbits.X])
    arguments = (orbits.LOGARITHMIC, constants, omega, stages, cos, sin, substeps)
    orbits.advance(*arguments, phase.copy(), variables, out, invariant, 0, 1)  # compile
    tick = time.perf_counter()
    orbits.advance(*arguments, phase, variables, out, invariant, 0, records)
    seconds = time.perf_counter() - tick
    drift = np.max(np.abs(invariant - invariant[:, :1]))  # v0 = 1: energies of order 1
    return n_orbits * records * substeps / seconds, drift


def part_integration(quick):
    print("1. Orbit integration (single core, G = 1, h = 0.01)")
    scale = 10 if quick else 1
    cases = [
        ("leapfrog, logarithmic, 1 orbit x 1e7 steps", "leapfrog", 0.0, LOGARITHMIC, 1, 10**7),
        ("leapfrog, logarithmic, 1000 orbits x 1e4", "leapfrog", 0.0, LOGARITHMIC, 1000, 10**4),
        ("yoshida4, logarithmic, 1 orbit x 1e7 steps", "yoshida4", 0.0, LOGARITHMIC, 1, 10**7),
        ("leapfrog, rotating bar, 1 orbit x 1e7 steps", "leapfrog", 0.5, BAR, 1, 10**7),
    ]
    for label, integrator, omega, constants, n_orbits, steps in cases:
        rate, drift = steps_per_second(integrator, omega, constants, n_orbits, steps // scale)
        verdict = f"target {STEPS_TARGET:.0e}: {'met' if rate >= STEPS_TARGET else 'MISSED'}"
        extra = f" ({verdict})" if integrator == "leapfrog" and omega == 0 else ""
        print(f"   {label:46s} {rate:10.3e} steps/s, max |ΔE| {drift:.1e} v0²{extra}")


def orbit_series(n_orbits, samples):
    params = PeccaryParams(
        samples=samples,
        max_delay=20,
        series={},
        population={"count": n_orbits, "energy": -0.3, "potential": "logarithmic"},
    )
    model = PeccaryModel(params, np.random.SeedSequence(1))
    model.advance(samples)
    return model.values


def part_workflow(quick):
    print("2. H and C over delays 1..20 of orbit series (10^4 samples, order 5)")
    values = orbit_series(5 if quick else 25, 10_000)
    delays = np.arange(1, 21)
    intervals = np.full(values.shape[0], 0.1)
    analyse(values[:1], intervals[:1], 5, delays, 0.4, "crossings")  # compile
    tick = time.perf_counter()
    result = analyse(values, intervals, 5, delays, 0.4, "crossings")
    ours = (time.perf_counter() - tick) / values.shape[0]
    print(f"   ours (full workflow)            {ours * 1e3:9.3f} ms per series")
    try:
        from peccary.core import peccary
    except ImportError:
        print("   peccary not installed (pip install peccary==0.1.1): comparison skipped")
        return
    n_compared = 2 if quick else 5
    tick = time.perf_counter()
    worst = 0.0
    for row in range(n_compared):
        entropy, complexity, _ = peccary(values[row], n=5).calcHCcurves(sampIntArray=delays)
        worst = max(
            worst,
            np.max(np.abs(entropy - result["permutation_entropy"][row])),
            np.max(np.abs(complexity - result["statistical_complexity"][row])),
        )
    theirs = (time.perf_counter() - tick) / n_compared
    print(
        f"   peccary 0.1.1 calcHCcurves      {theirs * 1e3:9.3f} ms per series "
        f"({n_compared} series)"
    )
    print(
        f"   ratio peccary / ours            {theirs / ours:9.1f} x; max |ΔH|, |ΔC| = {worst:.1e}"
    )


def part_survey(quick):
    print("3. Orbit survey sweeps/peccary_orbit_survey under mpiexec -n 2")
    launcher = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    launcher = launcher if os.path.exists(launcher) else "mpiexec"
    count = 10 if quick else 50
    with tempfile.TemporaryDirectory() as out:
        command = [
            launcher,
            "-n",
            "2",
            sys.executable,
            "-m",
            "sims",
            "batch",
            "sweeps/peccary_orbit_survey",
            "--out",
            out,
            "--quiet",
            "--set",
            f"params.population.count={count}",
        ]
        subprocess.run(
            command[:4] + ["-c", "from sims.peccary import SYSTEM; SYSTEM.model.warm_up()"],
            check=True,
        )  # fill the cache
        tick = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - tick
        if result.returncode:
            print(result.stdout, result.stderr)
            raise SystemExit("survey failed")
        files = sorted(f for f in os.listdir(out) if f.endswith(".nc"))
    orbits_total = 20 * count
    verdict = "met" if seconds < SURVEY_TARGET_SECONDS or quick else "MISSED"
    print(
        f"   {orbits_total} orbits x 10^4 samples x 20 delays, {len(files)} files: "
        f"{seconds:.1f} s wall (target < {SURVEY_TARGET_SECONDS:.0f} s: {verdict})"
    )


def part_pendulum(quick):
    duration = 100.0 if quick else 1000.0
    print(f"4. Double pendulum, {duration:g} s sampled every 2^-6 s (120°, −10°)")
    samples = round(duration * 64)
    params = PeccaryParams(samples=samples, max_delay=2, series={"p": {"kind": "double_pendulum"}})
    PeccaryModel(params, np.random.SeedSequence(0)).advance(10)  # compile
    model = PeccaryModel(params, np.random.SeedSequence(0))
    tick = time.perf_counter()
    model.advance(samples)
    ours = time.perf_counter() - tick
    energy = model.invariants[0]
    drift = np.max(np.abs(energy - energy[0]) / abs(energy[0]))
    print(f"   ours RK4 h = 2^-12              {ours:8.3f} s, max |ΔE/E| = {drift:.1e}")
    try:
        from peccary.examples import doublePendulum
    except ImportError:
        return
    tick = time.perf_counter()
    doublePendulum().integrate(tDur=duration)
    theirs = time.perf_counter() - tick
    print(
        f"   peccary solve_ivp RK45 (defaults) {theirs:6.3f} s  (ratio {theirs / ours:.1f} x; "
        "energy not exposed)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short version of every part")
    arguments = parser.parse_args()
    PeccaryModel.warm_up()
    print(f"cores: {os.cpu_count()}; machine shared with other jobs: timings are noisy")
    part_integration(arguments.quick)
    part_workflow(arguments.quick)
    part_survey(arguments.quick)
    part_pendulum(arguments.quick)


if __name__ == "__main__":
    main()
