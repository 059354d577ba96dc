"""Last-mile logistics entropy: route structure, entropy-distance scaling, consolidation."""

from sims.core.registry import System

SYSTEM = System(
    name="lastmile",
    title="Last-mile logistics entropy (Gerrits & van Heeswijk 2026, reconstructed model)",
    summary="""Delivery routes in the Amazon Last Mile Routing Research Challenge schema (real
    files, or seeded synthetic cities in the same schema). Each route's structural entropy
    S = ln W, W = N!/prod n_i! over zones (or zone x time window, stops, packages), with its
    Shannon dual N*H, exact bounds and two normalisations; the depot-to-depot length along the
    driven sequence and the entropy-distance power law per city and pooled. System-wide entropy
    S_sys = S_carrier + S_customer under parcel-locker consolidation (density, adoption,
    catchments, collection trips, trip chaining) and temporal consolidation (fewer delivery
    days), with the exact conservation identity under ideal conditions. A reconstruction of
    the paper's model from its abstract: every paper-specific choice is a parameter.""",
    model_path="sims.lastmile.model:LastMileModel",
    keywords=(
        "last-mile delivery",
        "logistics",
        "route entropy",
        "parcel lockers",
        "consolidation",
    ),
    plot_path="sims.lastmile.plots:plot_run",
    analyze_path="sims.lastmile.diagnostics:city_summary",
)

__all__ = ["SYSTEM"]
