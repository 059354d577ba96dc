"""Run ``entrosim`` command lines in forked children under a memory cap and a time limit.

Started as ``python -m tests.cli_sandbox`` with a JSON list of argument lists on stdin; prints
one JSON object per command line (exit code, stdout, stderr, seconds). The parent imports
entrosim once; each child sets ``RLIMIT_AS`` (address space, so that any allocation beyond the
cap fails) and an alarm, then runs :func:`sims.cli.main` exactly as the console script does.
"""

import json
import os
import resource
import signal
import sys
import tempfile
import time

from sims.cli import main
from sims.core import registry

MEMORY_CAP = 1 << 30  # bytes of address space, the imports (~0.6 GB) included
TIME_LIMIT = 10  # seconds


def run_capped(arguments: list[str]) -> dict:
    """Fork, cap, run ``entrosim ARGUMENTS``; return its outcome."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        child = os.fork()
        if child == 0:
            code = 70
            try:
                resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
                signal.alarm(TIME_LIMIT)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.stdout = os.fdopen(1, "w", closefd=False)
                sys.stderr = os.fdopen(2, "w", closefd=False)
                code = main(arguments)
            except BaseException:  # a crash is reported as such to the test
                import traceback

                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(child, 0)
        elapsed = time.monotonic() - started
        out.seek(0), err.seek(0)
        return {
            "arguments": arguments,
            "code": os.waitstatus_to_exitcode(status),
            "stdout": out.read(),
            "stderr": err.read(),
            "seconds": elapsed,
        }


if __name__ == "__main__":
    # import every simulator before forking (systems name them by path, imported on first use)
    loaded = [(s.model, s.plot, s.analyze) for s in registry.systems().values()]
    for arguments in json.load(sys.stdin):
        print(json.dumps(run_capped(arguments)), flush=True)
