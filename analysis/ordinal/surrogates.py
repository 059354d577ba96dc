"""IAAFT surrogates (Schreiber & Schmitz 1996) and end-matched segments (Schreiber & Schmitz 2000).

Null hypothesis
    The series is a stationary linear Gaussian process observed through a static monotone
    function. An *iterative amplitude-adjusted Fourier transform* (IAAFT) surrogate keeps the
    series' values exactly (a permutation of them) and its Fourier amplitudes approximately, and
    randomises everything else (Schreiber & Schmitz, Phys. Rev. Lett. 77, 635, 1996).

Algorithm (batched over surrogates)
    Start from random shuffles of ``x`` (seeded :class:`numpy.random.Generator`); repeat
    (1) replace the Fourier amplitudes of every surrogate by those of ``x``, keeping its phases
    (one 2-D real FFT over all surrogates); (2) give every surrogate the sorted values of ``x`` in
    the rank order of the result of (1). A surrogate whose rank order no longer changes is a fixed
    point and leaves the loop; the others stop after ``max_iterations``. The last step is (2), so
    every surrogate is a permutation of ``x`` (sorted values equal bitwise) and its spectrum is
    within a few per cent of the original's.

    Ranks are found with numpy's adaptive (stable) sort applied in the previous iteration's rank
    order: after the first iterations the order changes little, and the sort runs in nearly linear
    time.

End matching
    A Fourier surrogate is periodic in the series' length: a jump between the first and last value
    (or between their slopes) of a non-periodic series, e.g. a random walk, appears to the FFT as a
    discontinuity whose power spreads over all frequencies, and the surrogates acquire spurious
    high-frequency wiggles. Schreiber & Schmitz (Physica D 142, 346, 2000) therefore analyse the
    sub-segment ``x[start:stop]`` that minimises the end mismatch

    ``γ = [(x_first − x_last)² + ((x_first+1 − x_first) − (x_last − x_last−1))²] / Σ(x − x̄)²``

    (jump plus slope difference, relative to the segment's variance sum).
    :func:`end_matched_segment` searches all segments that drop at most a fraction ``max_trim`` of
    the samples and whose length is a fast FFT length (5-smooth); ties go to the longest, then
    earliest, segment.
"""

import numpy as np
import scipy.fft

from .. import _checks

IAAFT_MAX_ITERATIONS = 20
"""Default iteration cap of :func:`iaaft_surrogates` (surrogates that converge earlier stop).

Measured on 10⁴ samples: after 20 iterations the RMS error of the Fourier amplitudes is 0.04 %
(f⁻¹ noise), 0.3 % (Brownian) and 1.7 % (f⁻³) of their RMS, and the surrogates' mean permutation
entropies at delays 1, 5 and 20 move by less than their spread over surrogates after 10
iterations, which is what the ordinal test of :func:`~analysis.ordinal.classify_robust` uses.
"""

END_MATCH_MAX_TRIM = 0.1
"""Default largest fraction of the samples :func:`end_matched_segment` may drop."""

MIN_SURROGATE_LENGTH = 8
"""Fewest samples a series needs for surrogates or end matching."""


def _series(x, argument="x"):
    """``x`` as a finite 1-D float64 array of at least :data:`MIN_SURROGATE_LENGTH` samples."""
    x = _checks.finite_floats(x, argument)
    if x.ndim != 1 or x.size < MIN_SURROGATE_LENGTH:
        raise ValueError(
            f"{argument}: must be 1-D with at least {MIN_SURROGATE_LENGTH} samples "
            f"(got shape {x.shape})"
        )
    return x


def _fraction(value, argument):
    number = _checks.real_scalar(value, argument)
    if not 0.0 <= number < 1.0:
        raise ValueError(f"{argument}: must lie in [0, 1) (got {_checks.shown(value)})")
    return number


def end_mismatch(x):
    """Return the end mismatch γ of Schreiber & Schmitz (2000) of a whole series.

    Parameters
    ----------
    x : array_like, shape (n,)
        Real, finite series (n >= 8).

    Returns
    -------
    float
        ``[(x₀ − x_{n−1})² + ((x₁ − x₀) − (x_{n−1} − x_{n−2}))²] / Σ(x − x̄)²`` (dimensionless;
        ``nan`` for a constant series).

    Raises
    ------
    ValueError
        If ``x`` is not real, finite and 1-D with at least 8 samples.
    """
    x = _series(x)
    jump = (x[0] - x[-1]) ** 2
    slope = ((x[1] - x[0]) - (x[-1] - x[-2])) ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        return float((jump + slope) / np.sum((x - x.mean()) ** 2))


def end_matched_segment(x, max_trim=END_MATCH_MAX_TRIM):
    """Return the sub-segment ``(start, stop)`` of ``x`` with the best-matching ends.

    Parameters
    ----------
    x : array_like, shape (n,)
        Real, finite series (n >= 8).
    max_trim : float, optional
        Largest fraction of the ``n`` samples that may be dropped, in [0, 1) (default 0.1).

    Returns
    -------
    start, stop : int
        ``x[start:stop]`` minimises :func:`end_mismatch` among the segments of length
        ``L >= n − floor(max_trim · n)`` with ``L`` a 5-smooth number (a fast FFT length; ``n``
        itself is always a candidate). Ties go to the longest, then the earliest, segment.

    Raises
    ------
    ValueError
        If ``x`` is not real, finite and 1-D with at least 8 samples, or ``max_trim`` is not in
        [0, 1).
    """
    x = _series(x)
    max_trim = _fraction(max_trim, "max_trim")
    n = x.size
    shortest = max(MIN_SURROGATE_LENGTH, n - int(np.floor(max_trim * n)))
    # Shift by the mean (exactly representable differences are not needed: only the ranking of γ).
    centred = x - x.mean()
    sums = np.concatenate(([0.0], np.cumsum(centred)))
    squares = np.concatenate(([0.0], np.cumsum(centred * centred)))
    best = (np.inf, 0, n)
    for length in range(n, shortest - 1, -1):
        if length != n and scipy.fft.next_fast_len(length, real=True) != length:
            continue
        starts = np.arange(n - length + 1)
        last = starts + length - 1
        jump = (x[starts] - x[last]) ** 2
        slope = ((x[starts + 1] - x[starts]) - (x[last] - x[last - 1])) ** 2
        segment_sum = sums[starts + length] - sums[starts]
        spread = squares[starts + length] - squares[starts] - segment_sum**2 / length
        with np.errstate(divide="ignore", invalid="ignore"):
            mismatch = np.where(spread > 0, (jump + slope) / spread, np.inf)
        index = int(np.argmin(mismatch))
        if mismatch[index] < best[0]:
            best = (float(mismatch[index]), index, index + length)
    return best[1], best[2]


def _rank_order(values, previous_order):
    """Sorting permutation of each row of ``values``, sorted from ``previous_order`` (adaptive)."""
    guess = np.take_along_axis(values, previous_order, axis=1)
    return np.take_along_axis(previous_order, np.argsort(guess, axis=1, kind="stable"), axis=1)


def _iaaft(x, n_surrogates, rng, max_iterations=IAAFT_MAX_ITERATIONS):
    """Return IAAFT surrogates of a checked series and the iterations done (no checks).

    Returns
    -------
    surrogates : ndarray, shape (n_surrogates, n)
        Permutations of ``x``.
    iterations : int
        Iterations of the slowest surrogate (<= ``max_iterations``).
    unconverged : int
        Surrogates still changing their rank order when ``max_iterations`` was reached.
    """
    n = x.size
    sorted_values = np.sort(x)
    amplitudes = np.abs(scipy.fft.rfft(x))
    surrogates = rng.permuted(np.broadcast_to(x, (n_surrogates, n)), axis=1)
    order = np.argsort(surrogates, axis=1, kind="stable")
    active = np.arange(n_surrogates)
    iterations = 0
    while active.size and iterations < max_iterations:
        iterations += 1
        spectrum = scipy.fft.rfft(surrogates[active], axis=1)
        magnitude = np.abs(spectrum)
        with np.errstate(divide="ignore", invalid="ignore"):
            phase = np.where(magnitude > 0, spectrum / magnitude, 1.0)
        shaped = scipy.fft.irfft(phase * amplitudes, n, axis=1)
        new_order = _rank_order(shaped, order[active])
        changed = np.any(new_order != order[active], axis=1)
        moved = active[changed]
        order[moved] = new_order[changed]
        rows = surrogates[moved]
        np.put_along_axis(rows, new_order[changed], sorted_values[np.newaxis, :], axis=1)
        surrogates[moved] = rows
        active = moved
    return surrogates, iterations, int(active.size)


def iaaft_surrogates(x, n_surrogates=99, seed=0, max_iterations=IAAFT_MAX_ITERATIONS):
    """Return IAAFT surrogates of a series (module docstring).

    The series is used as given; call :func:`end_matched_segment` first for a series whose ends
    do not match (e.g. a random walk).

    Parameters
    ----------
    x : array_like, shape (n,)
        Real, finite series (n >= 8; any units).
    n_surrogates : int, optional
        Number of surrogates (>= 1, default 99).
    seed : int, numpy.random.SeedSequence or numpy.random.Generator, optional
        Seed of the :class:`numpy.random.Generator` that draws the initial shuffles (default 0;
        the same seed gives bitwise-identical surrogates).
    max_iterations : int, optional
        Iteration cap (>= 1, default 20); most surrogates reach a fixed point earlier.

    Returns
    -------
    ndarray, shape (n_surrogates, n)
        Surrogates in the units of ``x``: each row is a permutation of ``x`` whose Fourier
        amplitudes approximate those of ``x``.

    Raises
    ------
    ValueError
        If ``x`` is not real, finite and 1-D with at least 8 samples, ``n_surrogates`` or
        ``max_iterations`` is not an integer >= 1 (or the surrogates would not fit in
        memory), or ``seed`` cannot seed a Generator.
    """
    x = _series(x)
    n_surrogates = _surrogate_count(n_surrogates, x.size)
    max_iterations = _checks.integer(max_iterations, "max_iterations", 1)
    return _iaaft(x, n_surrogates, _generator(seed), max_iterations)[0]


MAX_SURROGATE_BYTES = 2**31
"""Largest IAAFT workspace allowed (bytes), checked before allocating."""

WORKSPACE_BYTES_PER_VALUE = 8 * 12
"""Peak bytes the IAAFT loop and the test hold per surrogate sample: about 12 arrays of the
surrogates' shape (values, rank orders, spectra, phases, the pool), measured with tracemalloc."""


def _surrogate_count(n_surrogates, n_samples, argument="n_surrogates"):
    """Return ``n_surrogates`` checked to be >= 1 and to fit :data:`MAX_SURROGATE_BYTES`."""
    n_surrogates = _checks.integer(n_surrogates, argument, 1)
    needed = WORKSPACE_BYTES_PER_VALUE * n_surrogates * n_samples
    if needed > MAX_SURROGATE_BYTES:
        raise ValueError(
            f"{argument}: {_checks.shown(n_surrogates)} surrogates of {n_samples} samples do "
            f"not fit the {MAX_SURROGATE_BYTES / 2**30:g} GiB surrogate memory limit"
        )
    return n_surrogates


def _generator(seed):
    """Return a :class:`numpy.random.Generator` from an int, SeedSequence or Generator seed."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    return np.random.default_rng(_checks.integer(seed, "seed", 0))
