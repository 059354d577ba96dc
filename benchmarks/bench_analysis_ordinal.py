"""Side-by-side timing of analysis.ordinal against ordpy and antropy (same process, same data).

Run from the repository root:

    PYTHONPATH=. python benchmarks/bench_analysis_ordinal.py [--full-ordpy]

Prints wall times (best of several repeats, after Numba compilation) and ratios for

1. H and C of 1e7 white-noise samples at order 5 on one thread;
2. 50 delays on 1e6 samples in one call vs 50 single calls;
3. peak resident memory added by the counting path on 1e7 samples.

ordpy needs ~25-30 s for 1e7 samples, so by default it is timed on the first 1e6
samples and scaled by 10 (its cost is linear in n); the printout says so.
``--full-ordpy`` times it on all 1e7 samples instead.
"""

import argparse
import time

import numba
import numpy as np
from timing import best_of  # benchmarks/timing.py

from analysis import ordinal

SEED = 20261122
N_LONG = 10_000_000
N_DELAYS_SERIES = 1_000_000
DELAYS = np.arange(1, 51)
ORDER = 5


def _status_mib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def peak_rss_added_mib(function):
    """Return the peak resident memory added while ``function`` runs (Linux), in MiB."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # reset the peak (VmHWM) to the current RSS
    before = _status_mib("VmRSS")
    function()
    return _status_mib("VmHWM") - before


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full-ordpy", action="store_true", help="time ordpy on all 1e7 samples")
    args = parser.parse_args()

    rng = np.random.default_rng(SEED)
    x = rng.standard_normal(N_LONG)
    print(f"numba {numba.__version__}, numpy {np.__version__}")
    print(f"Numba threads available: {numba.get_num_threads()}")

    start = time.perf_counter()
    ordinal.complexity_entropy(x[:1000], ORDER, DELAYS[:2])
    print(f"warm-up (compile or load Numba cache): {time.perf_counter() - start:.3f} s")

    # 3. memory first, before other packages raise the process's peak RSS
    added = peak_rss_added_mib(lambda: ordinal.complexity_entropy(x, ORDER))
    added_delays = peak_rss_added_mib(lambda: ordinal.complexity_entropy(x, ORDER, DELAYS))
    print(
        f"\n[memory] input {x.nbytes / 2**20:.0f} MiB; peak RSS added by complexity_entropy(1e7, "
        f"order 5): {added:.2f} MiB; with 50 delays: {added_delays:.2f} MiB "
        f"(counts tables: {8 * 120} bytes per delay, {8 * ordinal.BLOCK_WINDOWS} bytes of codes "
        "scratch per thread)"
    )

    # 1. H and C of 1e7 samples, one thread
    numba.set_num_threads(1)
    ours, (h, c) = best_of(lambda: ordinal.complexity_entropy(x, ORDER))
    ours_h, _ = best_of(lambda: ordinal.permutation_entropy(x, ORDER))
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    print(f"\n[1] H and C, n = 1e7, order {ORDER}, delay 1, one thread")
    print(f"  entrosim complexity_entropy   {ours:8.3f} s   H={h:.9f} C={c:.9f}")
    print(f"  entrosim permutation_entropy  {ours_h:8.3f} s")
    numba.set_num_threads(1)
    for ties in ("own", "random"):
        ordinal.complexity_entropy(x[:1000], ORDER, ties=ties, seed=SEED)
        options = {"ties": ties, "seed": SEED}
        tied_time, _ = best_of(lambda o=options: ordinal.complexity_entropy(x, ORDER, **o))
        print(f"  entrosim ties={ties!r:9}         {tied_time:8.3f} s")
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)

    import antropy

    antropy.perm_entropy(x[:1000], order=ORDER, normalize=True)
    antropy_time, antropy_h = best_of(
        lambda: antropy.perm_entropy(x, order=ORDER, normalize=True), repeats=2
    )
    print(
        f"  antropy perm_entropy (H only) {antropy_time:8.3f} s   H={antropy_h:.9f}   "
        f"ratio antropy/entrosim(H and C) = {antropy_time / ours:.1f}x"
    )

    import ordpy

    if args.full_ordpy:
        ordpy_time, (h_ref, c_ref) = best_of(
            lambda: ordpy.complexity_entropy(x, dx=ORDER), repeats=1
        )
        note = "measured on all 1e7 samples"
    else:
        slice_time, (h_ref, c_ref) = best_of(
            lambda: ordpy.complexity_entropy(x[:1_000_000], dx=ORDER), repeats=1
        )
        ordpy_time = 10 * slice_time
        h_check, c_check = ordinal.complexity_entropy(x[:1_000_000], ORDER)
        h, c = h_check, c_check
        note = f"EXTRAPOLATED: measured {slice_time:.3f} s on the first 1e6 samples, x10"
    print(
        f"  ordpy complexity_entropy      {ordpy_time:8.3f} s   ({note})   "
        f"ratio ordpy/entrosim = {ordpy_time / ours:.0f}x"
    )
    print(f"  agreement with ordpy: |dH| = {abs(h - h_ref):.1e}, |dC| = {abs(c - c_ref):.1e}")

    # 2. 50 delays on 1e6 samples
    y = x[:N_DELAYS_SERIES]
    print(f"\n[2] H and C for delays 1..50, n = 1e6, order {ORDER}")
    one_call, (h_many, c_many) = best_of(lambda: ordinal.complexity_entropy(y, ORDER, DELAYS))
    numba.set_num_threads(1)
    one_call_serial, _ = best_of(lambda: ordinal.complexity_entropy(y, ORDER, DELAYS))
    single_calls, singles = best_of(
        lambda: [ordinal.complexity_entropy(y, ORDER, int(d)) for d in DELAYS]
    )
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert np.array_equal(h_many, [s[0] for s in singles])
    assert np.array_equal(c_many, [s[1] for s in singles])
    print(
        f"  entrosim one call, {numba.get_num_threads()} threads   {one_call:8.3f} s   "
        f"ratio 50 single calls/one call = {single_calls / one_call:.1f}x"
    )
    print(
        f"  entrosim one call, 1 thread     {one_call_serial:8.3f} s   "
        f"ratio = {single_calls / one_call_serial:.2f}x"
    )
    print(f"  entrosim 50 single calls (1 thread) {single_calls:8.3f} s")
    print(
        "  note: a single call is already kernel-bound (~4-5 ns per window), so one call can\n"
        "  only save the per-call validation and spread the delays over idle Numba threads."
    )

    antropy_delays, _ = best_of(
        lambda: [
            antropy.perm_entropy(y, order=ORDER, delay=int(d), normalize=True) for d in DELAYS
        ],
        repeats=1,
    )
    print(
        f"  antropy 50 single calls (H only)    {antropy_delays:8.3f} s   "
        f"ratio antropy/entrosim one call = {antropy_delays / one_call:.0f}x"
    )
    ordpy_three, _ = best_of(
        lambda: [ordpy.complexity_entropy(y, dx=ORDER, taux=int(d)) for d in DELAYS[:3]],
        repeats=1,
    )
    ordpy_delays = ordpy_three * len(DELAYS) / 3
    print(
        f"  ordpy 50 single calls               {ordpy_delays:8.3f} s   (EXTRAPOLATED from "
        f"{ordpy_three:.3f} s for delays 1-3)   ratio ordpy/entrosim one call = "
        f"{ordpy_delays / one_call:.0f}x"
    )


if __name__ == "__main__":
    main()
