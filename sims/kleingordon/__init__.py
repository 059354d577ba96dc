"""Klein–Gordon (1+1)D: symplectic pseudo-spectral solver, exact solitons, field entropies."""

from sims.core.registry import System

SYSTEM = System(
    name="kleingordon",
    title="Klein-Gordon (1+1)D: phi^4, sine-Gordon, phi^6 and linear fields",
    summary="""A real scalar field obeys phi_tt = phi_xx - V'(phi) on a periodic box, solved with
    real-FFT spectral derivatives and a fixed-step symplectic integrator: by default the
    processed Takahashi-Imada scheme (order 4, one modified kick per step) with the exact linear
    flow in Fourier space; Stormer-Verlet, Yoshida 4 and free-flight drifts as options. The time
    step is checked for linear stability on every wavenumber. Initial conditions are
    exact: wave packets, boosted kinks and antikinks, sine-Gordon breathers, kink-antikink pairs,
    sine-Gordon kink-antikink and kink-kink collisions, Gaussian bumps (oscillon seeds); or a
    field read from a NetCDF file. Records hold the energy (spectrally exact), momentum, kink
    number, probe series, the occupations n_k of the modes about the vacuum with their classical
    entropy sum_k ln n_k, and field snapshots; the analysis gives Shannon, Renyi and Tsallis
    entropies of the energy density, spectral and permutation entropies.""",
    model_path="sims.kleingordon.model:KleinGordonModel",
    keywords=(
        "Klein-Gordon equation",
        "phi^4 kink",
        "sine-Gordon breather",
        "solitons",
        "pseudo-spectral method",
        "symplectic integrator",
        "oscillons",
        "mode occupation numbers",
    ),
    plot_path="sims.kleingordon.plots:plot_run",
    analyze_path="sims.kleingordon.entropies:analyze_run",
)

__all__ = ["SYSTEM"]
