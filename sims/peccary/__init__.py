"""PECCARY: time series (noises, maps, flows, galactic orbits) on the complexity–entropy plane."""

from sims.core.registry import System

SYSTEM = System(
    name="peccary",
    title="PECCARY: regular, complex and stochastic time series on the complexity-entropy plane",
    summary="""Seeded generators of the series studied by Hyman, Daniel & Schaffner (2025):
    sines and sums of sines, white and coloured noise (spectral shaping), fractional Brownian
    motion (Davies-Harte), the logistic, Henon, skew-tent and standard maps, the Lorenz and
    Rossler flows and the double pendulum (RK4), the Henon-Heiles system and tracer orbits in
    galactic potentials (point mass, isochrone, logarithmic, NFW, Miyamoto-Nagai, rotating bar)
    with symplectic leapfrog or Yoshida-4 integrators. Each series gets its natural timescale,
    the PECCARY sampling delay, permutation entropy H and statistical complexity C over a range
    of delays, and a regular/complex/stochastic classification.""",
    model_path="sims.peccary.model:PeccaryModel",
    keywords=(
        "time series",
        "permutation entropy",
        "statistical complexity",
        "complexity-entropy plane",
        "chaos",
        "galactic orbits",
    ),
    plot_path="sims.peccary.plots:plot_run",
    analyze_path="sims.peccary.workflow:analyze_dataset",
)

__all__ = ["SYSTEM"]
