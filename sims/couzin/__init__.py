"""Couzin fish schooling: 3-D zone model, order parameters, schooling entropies and the OSI."""

from sims.core.registry import System

SYSTEM = System(
    name="couzin",
    title="Couzin fish schooling (Couzin, Krause, James, Ruxton & Franks 2002), 3-D",
    summary="""Agents move at constant speed in open space (or a periodic or reflecting box),
    repel from neighbours within r_r, align with those in an orientation shell of width dr_o and
    are attracted to those in an attraction shell of width dr_a, ignoring neighbours in a blind
    volume behind them; headings turn toward the noisy desired direction by at most theta*dt per
    step. Records hold polarization, milling about the centre of mass, group structure, the seven
    schooling entropies of dewi-kadita (corrected and as published) with their Oceanic Schooling
    Index, and position/heading snapshots.""",
    model_path="sims.couzin.model:CouzinModel",
    keywords=(
        "collective motion",
        "fish schooling",
        "Couzin model",
        "polarization",
        "milling",
        "Oceanic Schooling Index",
    ),
    plot_path="sims.couzin.plots:plot_run",
    analyze_path="sims.couzin.analysis:analyze_run",
    # the paper's control parameters (Fig. 3 axes and its noise); widths are >= 0, so any value
    # keeps r_r <= r_o <= r_a, and each value passes the box checks of CouzinParams
    protocol_params=("orientation_width", "attraction_width", "noise"),
)

__all__ = ["SYSTEM"]
