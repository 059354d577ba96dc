"""The Jupyter kernel that executes the notebooks: this interpreter, importing this checkout.

A notebook's ``python3`` kernel would otherwise be whatever kernelspec the machine has installed
under that name (possibly another environment's Python). At ``config-inited`` a kernelspec
``entrosim-docs`` is written under ``docs/_build/.entrosim_cache/jupyter/`` that runs
``sys.executable`` with the checkout first on ``PYTHONPATH``, and ``JUPYTER_PATH`` points there;
``nb_kernel_rgx_aliases`` maps ``python3`` to it. The kernel logs at level ERROR: its only
routine message is a warning that its local TCP sockets are unencrypted.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .caching import checkout_pythonpath

KERNEL_NAME = "entrosim-docs"


def install_kernel(app, config) -> None:
    """Write the kernelspec and put it first on ``JUPYTER_PATH`` for this build's kernels."""
    jupyter_path = Path(app.srcdir) / "_build" / ".entrosim_cache" / "jupyter"
    folder = jupyter_path / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--IPKernelApp.log_level=ERROR",
        ],
        "display_name": f"Python ({KERNEL_NAME})",
        "language": "python",
        "env": {"PYTHONPATH": checkout_pythonpath()},
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1))
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(jupyter_path), os.environ.get("JUPYTER_PATH")])
    )
