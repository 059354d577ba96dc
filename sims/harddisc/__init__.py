"""Hard-disc gas: event-driven molecular dynamics and the Boltzmann entropy of a free expansion."""

from sims.core.registry import System

SYSTEM = System(
    name="harddisc",
    title="Hard-disc gas: free expansion, dense liquids, Boltzmann entropy (Garrido et al. 2024)",
    summary="""N hard discs start in equilibrium in one half of a box; the partition is removed at
    t = 0 and the gas expands into twice the area at the same energy. Exact event-driven
    dynamics (collision prediction, cell lists with crossing events, an indexed 8-ary heap of
    one event per disc; reflecting or periodic walls). The coarse-grained Boltzmann entropy
    S_B = sum [n ln(dx^2 dv^2) - ln n!] of the one-particle phase space is recorded for several
    velocity cell sizes dv, with its H-function form, spatial and velocity marginals, the
    ideal-gas references, energy, momentum, event counts, the virial pressure and the global
    bond order |psi_6|. Dense liquids (area fraction up to about 0.70) start from a triangular
    lattice melted at fixed density.""",
    model_path="sims.harddisc.model:HardDiscModel",
    keywords=(
        "hard discs",
        "event-driven molecular dynamics",
        "free expansion",
        "Boltzmann entropy",
        "second law",
    ),
    plot_path="sims.harddisc.plots:plot_run",
    analyze_path="sims.harddisc.ensemble:analyze_run",
)

__all__ = ["SYSTEM"]
