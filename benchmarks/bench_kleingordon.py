"""Klein–Gordon speed and energy conservation, with amangkurat 0.0.1 side by side.

1. Per-step time at N = 512 and 1024 (φ⁴ kink–antikink, u = 0.3, L = 100, Δt = 0.01, same
   number of steps for both codes; compile excluded: every kernel runs once before timing).
   amangkurat is run through ``KGSolver.solve`` with ``adaptive_dt=False`` and one thread, from
   the same (correct) initial field on its own grid; its energy drift is measured by stepping its
   ``stormer_verlet_step`` and taking φ_t = (φⁿ⁺¹ − φⁿ⁻¹)/2Δt. Ours: Störmer–Verlet (the same
   order as amangkurat), Yoshida 4 (three kicks per step) and the processed Takahashi–Imada
   scheme with the exact linear flow (order 4, one kick: two FFTs per step). Target: >= 3x per
   step while the energy drift is <= 1e-8 (a row passes only if both hold).
2. 1e5 steps at N = 1024 (shipped ``kleingordon/phi4_kink``): target < 5 s on one core.
3. Relative energy drift over 1e5 steps of every shipped scenario: target <= 1e-8.

Run from the repository root (needs ``pip install amangkurat==0.0.1`` for part 1)::

    python benchmarks/bench_kleingordon.py [--steps 5000]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from sims.core.scenario import load_scenario
from sims.kleingordon import diagnostics, initial, solutions
from sims.kleingordon.model import KleinGordonModel, KleinGordonParams

SPEEDUP_TARGET = 3.0
DRIFT_TARGET = 1e-8
LONG_RUN_STEPS = 100_000
LONG_RUN_SECONDS = 5.0
LENGTH, TIME_STEP, VELOCITY, SEPARATION = 100.0, 0.01, 0.3, 20.0
SHIPPED = ["linear_wave", "phi4_kink", "sine_gordon_breather", "kink_antikink"]


def run_ours(model: KleinGordonModel, steps: int) -> tuple[float, float]:
    """Seconds per step and max relative energy error (sampled 50 times) of ``steps`` steps."""
    start = model.observe()["energy"]
    model.warm_up()  # compile or load from cache
    chunk = max(1, steps // 50)
    worst, seconds = 0.0, 0.0
    for _ in range(steps // chunk):
        tick = time.perf_counter()
        model.advance(chunk)
        seconds += time.perf_counter() - tick
        worst = max(worst, abs(model.observe()["energy"] - start) / start)
    return seconds / (chunk * (steps // chunk)), worst


def amangkurat_field(points: int):
    """amangkurat's solver on N points of [−50, 50] (endpoint included, its convention)."""
    from amangkurat.core.solver import KGSolver

    solver = KGSolver(
        nx=points,
        x_min=-LENGTH / 2,
        x_max=LENGTH / 2,
        verbose=False,
        adaptive_dt=False,
        n_cores=1,
    )
    profile = solutions.kink_profile("phi4")
    phi, pi = initial.periodic_pair(
        profile, solver.x, LENGTH, (-SEPARATION / 2, VELOCITY), (SEPARATION / 2, -VELOCITY)
    )
    return solver, phi, pi


def run_amangkurat(points: int, steps: int) -> tuple[float, float]:
    """amangkurat seconds per step (``solve``) and its energy drift (its own step function)."""
    solver, phi, pi = amangkurat_field(points)
    solver.solve(phi, pi, TIME_STEP, 10 * TIME_STEP, potential="phi4", n_snapshots=2)
    tick = time.perf_counter()
    result = solver.solve(phi, pi, TIME_STEP, steps * TIME_STEP, potential="phi4", n_snapshots=10)
    per_step = (time.perf_counter() - tick) / result["params"]["n_steps"]
    _, force = solver.get_potential_functions("phi4")
    potential, _ = solver.get_potential_functions("phi4")
    wavenumber = 2 * np.pi * np.fft.rfftfreq(points, solver.dx)

    def energy(previous, current, following):
        velocity = (following - previous) / (2 * TIME_STEP)
        return diagnostics.energy(
            current, velocity, wavenumber, solver.dx, 1, np.array([0, 1, 1, 0.0])
        )

    lap = solver.laplacian(phi)
    previous, current = phi - TIME_STEP * pi + 0.5 * TIME_STEP**2 * (lap - force(phi)), phi
    energies = []
    stride = max(1, steps // 50)
    for step in range(stride * (steps // stride) + 1):  # the same sample times as ours
        following = solver.stormer_verlet_step(current, previous, TIME_STEP, force)
        if step % stride == 0:
            energies.append(energy(previous, current, following))
        previous, current = current, following
    energies = np.array(energies)
    return per_step, float(np.max(np.abs(energies - energies[0])) / energies[0])


OURS = (("verlet", "stepped"), ("yoshida4", "stepped"), ("takahashi_imada", "exact"))


def our_model(points: int, scheme: str, linear_flow: str) -> KleinGordonModel:
    params = KleinGordonParams(
        potential="phi4",
        length=LENGTH,
        points=points,
        time_step=TIME_STEP,
        duration=TIME_STEP,
        record_interval=TIME_STEP,
        scheme=scheme,
        linear_flow=linear_flow,
        initial={"kind": "kink_antikink", "velocity": VELOCITY, "separation": SEPARATION},
    )
    return KleinGordonModel(params, np.random.SeedSequence(0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--steps",
        type=int,
        default=5000,
        help="steps timed in part 1 (t = 50: through the collision)",
    )
    parser.add_argument("--skip-amangkurat", action="store_true")
    arguments = parser.parse_args(argv)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"entrosim Klein-Gordon benchmark (one core, compile excluded; load average {load})")
    print(
        f"\n1. phi4 kink-antikink u={VELOCITY}, L={LENGTH:g}, dt={TIME_STEP}, "
        f"{arguments.steps} steps each"
    )
    print(f"  {'N':>5} {'code':<32}{'us/step':>10}{'speed-up':>10}{'max|dE|/E':>12}")
    for points in (512, 1024):
        reference = None
        if not arguments.skip_amangkurat:
            reference, drift = run_amangkurat(points, arguments.steps)
            print(
                f"  {points:>5} {'amangkurat 0.0.1 (SV)':<32}{1e6 * reference:>10.2f}"
                f"{'1.00':>10}{drift:>12.2e}"
            )
        for scheme, flow in OURS:
            per_step, drift = run_ours(our_model(points, scheme, flow), arguments.steps)
            ratio = f"{reference / per_step:.2f}" if reference else "-"
            verdict = "" if drift <= DRIFT_TARGET else "drift > 1e-8"
            if reference and not verdict:
                verdict = "PASS" if reference / per_step >= SPEEDUP_TARGET else "below 3x"
            name = f"{scheme} ({flow})"
            print(
                f"  {points:>5} {name:<32}{1e6 * per_step:>10.2f}{ratio:>10}"
                f"{drift:>12.2e}  {verdict}"
            )
    params = load_scenario("kleingordon/phi4_kink").params
    model = KleinGordonModel(params, np.random.SeedSequence(0))
    model.advance(1)
    tick = time.perf_counter()
    model.advance(LONG_RUN_STEPS)
    seconds = time.perf_counter() - tick
    print(
        f"\n2. {LONG_RUN_STEPS:.0e} steps, N = {params.points}, {params.scheme}: {seconds:.2f} s "
        f"({'PASS' if seconds < LONG_RUN_SECONDS else 'FAIL'} < {LONG_RUN_SECONDS:g} s)"
    )
    print(f"\n3. energy drift over {LONG_RUN_STEPS:.0e} steps of the shipped scenarios")
    for name in SHIPPED:
        params = load_scenario(f"kleingordon/{name}").params
        model = KleinGordonModel(params, np.random.SeedSequence(0))
        start = model.observe()["energy"]
        tick = time.perf_counter()
        model.advance(LONG_RUN_STEPS)
        seconds = time.perf_counter() - tick
        drift = abs(model.observe()["energy"] - start) / start
        duration = LONG_RUN_STEPS * params.time_step
        print(
            f"  {name:<22} N={params.points:<5} dt={params.time_step:<6} t={duration:<7g}"
            f" {seconds:6.2f} s  |E(end)-E0|/E0 = {drift:.2e}  "
            f"{'PASS' if drift <= DRIFT_TARGET else 'FAIL'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
