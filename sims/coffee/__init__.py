"""Coffee automaton: cream mixing into coffee, entropy and apparent complexity by compression."""

from sims.core.registry import System

SYSTEM = System(
    name="coffee",
    title="Coffee automaton (Aaronson, Carroll & Ouellette 2014)",
    summary="""Cream (top half) mixes into coffee (bottom half) on an n x n grid, either as an
    exclusion process of random adjacent swaps (interacting) or as independent random walkers
    (non-interacting). Entropy is estimated by the compressed size of the fine-grained state and
    apparent complexity by the compressed size of a coarse-grained picture (3 buckets, or 7 buckets
    with row-majority adjustment); the exact Boltzmann entropy of block occupations is given
    too.""",
    model_path="sims.coffee.model:CoffeeModel",
    keywords=(
        "coffee automaton",
        "mixing",
        "apparent complexity",
        "compression",
        "Boltzmann entropy",
    ),
    plot_path="sims.coffee.plots:plot_run",
    analyze_path="sims.coffee.diagnostics:peak_statistics",
)

__all__ = ["SYSTEM"]
