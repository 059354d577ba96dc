"""Portability: the tests whose numbers depend on the CPU pass on another machine type too.

Numba compiles for the host CPU, but only the Couzin kernels give other numbers on another CPU:
their pair sums are compiled with fast math (reassociated into partial sums as wide as the SIMD
registers, contracted into FMAs), and the periodic sweep keeps candidates with the AVX-512
compress of ``sims/couzin/simd.py`` only on AVX-512 hosts. Every other kernel is compiled
without fast math and gives the same bits on any x86-64 CPU: the states of short runs of every
other system hash alike natively (AVX-512) and under ``NUMBA_CPU_NAME=generic`` (below) and
``skylake-avx512`` (256-bit vectors preferred); analysis.ordinal's threaded counts are integers.

So the Couzin tests run again, in a subprocess compiling into a fresh Numba cache for the
generic x86-64 CPU: SSE2 only, two doubles per vector, no FMA, no AVX-512 (Numba sets
``NUMBA_CPU_FEATURES`` to "" for it). There the pair sums round differently from the first step
on, every chaotic trajectory parts from this machine's, and the tests must still pass.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
SIMD_DEPENDENT_TESTS = ("tests/test_couzin_model.py", "tests/test_couzin_regimes.py")
GENERIC_RUN_LIMIT = 600  # s; about 2 min on 2 cores, half of it compiling into the fresh cache


@pytest.mark.slow
@pytest.mark.timeout(GENERIC_RUN_LIMIT + 60)
def test_simd_dependent_tests_pass_on_a_generic_x86_64_cpu(tmp_path):
    environment = {
        **os.environ,
        "NUMBA_CPU_NAME": "generic",
        "NUMBA_CACHE_DIR": str(tmp_path / "numba_cache"),
    }
    environment.pop("NUMBA_CPU_FEATURES", None)  # generic's own default: no extensions
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    result = subprocess.run(
        [*command, *SIMD_DEPENDENT_TESTS],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=GENERIC_RUN_LIMIT,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " passed" in result.stdout, result.stdout[-2000:]
