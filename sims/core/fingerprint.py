"""What identifies a run's results: its dynamics, the entrosim version, the CPU target.

* :func:`run_fingerprint` hashes what changes the dynamics (system, parameters of the sweep
  point, parameter protocols, root seed, member) and the entrosim version, and nothing else:
  editing the description, the output settings or raising ``members`` leaves it unchanged.
  Every output file carries it (``run_fingerprint``), and ``--resume`` keeps a file only if it
  matches.
* :func:`cpu_target` names the machine type Numba compiles for. Results are bitwise identical
  per machine type only, so a checkpoint also records it and is not continued on another one.
"""

from __future__ import annotations

import functools
import hashlib
import json

import sims


def run_fingerprint(
    system: str, params: dict, seed: int, member: int, protocol: dict | None = None
) -> str:
    """SHA-256 (hex) of a run's dynamics and the entrosim version.

    Parameters
    ----------
    system : str
        The simulator's name.
    params : dict
        The sweep point's resolved parameters, as JSON-compatible data.
    seed, member : int
        Root seed and member index.
    protocol : dict, optional
        The scenario's parameter protocols as JSON-compatible data; hashed only when there are
        some, so runs without one keep their fingerprints.
    """
    document = {
        "system": system,
        "params": params,
        "seed": seed,
        "member": member,
        "entrosim": sims.__version__,
    }
    if protocol:
        document["protocol"] = protocol
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


@functools.cache
def cpu_target() -> str:
    """The CPU name and a digest of the features Numba compiles for (``NUMBA_CPU_NAME`` aware)."""
    from llvmlite import binding
    from numba.core import codegen, config

    name = config.CPU_NAME or binding.get_host_cpu_name()
    features = (
        config.CPU_FEATURES if config.CPU_FEATURES is not None else codegen.get_host_cpu_features()
    )
    return f"{name} (features {hashlib.sha256(features.encode()).hexdigest()[:12]})"


def checkpoint_identity(fingerprint: str) -> dict[str, str]:
    """Who may continue a run's checkpoint: the same run, entrosim version and CPU target."""
    return {"entrosim": sims.__version__, "cpu_target": cpu_target(), "run": fingerprint}
