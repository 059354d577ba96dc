"""Speed of classify_robust on one core, and its confusion matrix against PECCARY's regions.

Run from the repository root:

    PYTHONPATH=. python benchmarks/bench_ordinal_robust.py              # timing
    PYTHONPATH=. python benchmarks/bench_ordinal_robust.py --confusion  # markdown table

Timing: 10⁴ samples of AR(1) noise (φ = 0.9: correlated, so the IAAFT loop runs to its cap rather
than converging early) × 100 surrogates × 20 delays (1…20), order 5, on one thread
(``NUMBA_NUM_THREADS=1``, set before Numba loads); the target is 5 s. The batched IAAFT (one 2-D FFT
over all surrogates, adaptive rank sort) is compared side by side with a naive one (a Python loop
over surrogates, ``numpy.fft`` and a double ``argsort`` per rank step, the same stopping rule),
followed by per-(surrogate, delay) pattern counting.

Confusion: for every kind of :mod:`sims.peccary.catalogue` and seeds 0…n−1, the paper's regions
(:func:`analysis.ordinal.classify` at the series' PECCARY delay) against
:func:`analysis.ordinal.classify_robust` with its defaults (99 surrogates, alpha = 0.05).
"""

import os

os.environ["NUMBA_NUM_THREADS"] = "1"  # before numba is imported (by analysis.ordinal)
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402
from timing import best_of  # noqa: E402  (benchmarks/timing.py)

from analysis import ordinal  # noqa: E402
from analysis.ordinal import surrogates as surrogate_module  # noqa: E402
from sims.peccary import catalogue  # noqa: E402

N_SAMPLES = 10_000
N_SURROGATES = 100
DELAYS = np.arange(1, 21)
ORDER = 5
TARGET_SECONDS = 5.0
REGIMES = ("regular", "complex", "stochastic")


def naive_iaaft(x, n_surrogates, rng, max_iterations):
    """IAAFT one surrogate at a time with numpy.fft and a double argsort (the textbook loop)."""
    sorted_values = np.sort(x)
    amplitudes = np.abs(np.fft.rfft(x))
    result = np.empty((n_surrogates, x.size))
    for row in range(n_surrogates):
        surrogate = rng.permutation(x)
        for _ in range(max_iterations):
            spectrum = np.fft.rfft(surrogate)
            shaped = np.fft.irfft(amplitudes * np.exp(1j * np.angle(spectrum)), x.size)
            ranks = np.argsort(np.argsort(shaped))
            new = sorted_values[ranks]
            if np.array_equal(new, surrogate):
                break
            surrogate = new
        result[row] = surrogate
    return result


def naive_counts(rows):
    """Pattern counts one (series, delay) call at a time."""
    return np.array([[ordinal.pattern_counts(row, ORDER, int(d)) for d in DELAYS] for row in rows])


def timing():
    print(f"numba {numba.__version__}, numpy {np.__version__}, threads {numba.get_num_threads()}")
    x = catalogue.NOISE["AR(1) φ=0.9"](0, N_SAMPLES)
    iterations = surrogate_module.IAAFT_MAX_ITERATIONS
    ordinal.classify_robust(x[:2000], surrogates=2, delay=DELAYS, max_iterations=2)  # compile
    robust_time, verdict = best_of(
        lambda: ordinal.classify_robust(x, surrogates=N_SURROGATES, delay=DELAYS), repeats=2
    )
    print(
        f"classify_robust: {N_SAMPLES} samples x {N_SURROGATES} surrogates x {DELAYS.size} delays "
        f"(IAAFT cap {iterations}, ran {verdict['iterations']}): {robust_time:.2f} s, "
        f"{robust_time / TARGET_SECONDS:.2f} of the {TARGET_SECONDS:g} s target "
        f"(regime {verdict['regime']}, p = {verdict['p_value']:.3f})"
    )
    batched_time, _ = best_of(
        lambda: surrogate_module._iaaft(x, N_SURROGATES, np.random.default_rng(0), iterations),
        repeats=2,
    )
    tick = time.perf_counter()
    naive = naive_iaaft(x, N_SURROGATES, np.random.default_rng(0), iterations)
    naive_time = time.perf_counter() - tick
    print(
        f"IAAFT, {N_SURROGATES} surrogates, <= {iterations} iterations: batched "
        f"{batched_time:.2f} s, naive loop {naive_time:.2f} s, "
        f"ratio {naive_time / batched_time:.1f}"
    )
    pool = np.vstack((x, naive))
    batched_count_time, _ = best_of(
        lambda: ordinal.pattern_counts(pool, ORDER, delay=DELAYS), repeats=3
    )
    tick = time.perf_counter()
    naive_counts(pool)
    naive_count_time = time.perf_counter() - tick
    print(
        f"pattern counts, {pool.shape[0]} series x {DELAYS.size} delays: one call "
        f"{batched_count_time:.3f} s, one call per (series, delay) {naive_count_time:.3f} s, "
        f"ratio {naive_count_time / batched_count_time:.1f}"
    )


def peccary_regime(x):
    """The paper's regions at the series' PECCARY delay (``"undefined"`` without a timescale)."""
    with warnings.catch_warnings():  # tied series are on the list on purpose
        warnings.simplefilter("ignore", UserWarning)
        try:
            delay = ordinal.recommended_delay(x, ORDER)
        except ValueError:
            return "undefined"
        entropy, complexity = ordinal.complexity_entropy(x, ORDER, delay)
    return str(ordinal.classify(entropy, complexity, ORDER))


def confusion(n_seeds):
    print(
        f"{n_seeds} seeds per kind, {N_SAMPLES} samples, order {ORDER}; counts of "
        "regular / complex / stochastic.\n"
    )
    print("| series | expected | paper's regions (PECCARY delay) | classify_robust (p < 0.05) |")
    print("|---|---|---|---|")
    for kind, make in catalogue.KINDS.items():
        paper, robust = [], []
        for seed in range(n_seeds):
            x = make(seed, N_SAMPLES)
            paper.append(peccary_regime(x))
            robust.append(ordinal.classify_robust(x, ORDER, seed=seed)["regime"])
        cells = [
            " / ".join(str(found.count(name)) for name in REGIMES) for found in (paper, robust)
        ]
        undefined = paper.count("undefined")
        note = f" ({undefined} undefined)" if undefined else ""
        print(
            f"| {kind} | {catalogue.EXPECTED[kind]} | {cells[0]}{note} | {cells[1]} |", flush=True
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--confusion", action="store_true", help="print the confusion table")
    parser.add_argument("--seeds", type=int, default=10, help="seeds per kind (--confusion)")
    args = parser.parse_args()
    if args.confusion:
        confusion(args.seeds)
    else:
        timing()


if __name__ == "__main__":
    main()
