"""Shannon, Rényi and Tsallis entropies of distributions and entropy estimators for samples.

Conventions shared by every function here:

* Units: nats (natural logarithm) by default; pass ``base=2`` for bits (any
  ``base > 1`` is accepted).  Tsallis entropies are not logarithmic and have no
  ``base``.
* Distributions: the ``p`` argument holds non-negative weights along ``axis``
  (probabilities or raw counts); they are normalised to sum 1 along that axis.
  Zero weights contribute nothing (``0 ln 0 = 0``).  A slice whose weights sum
  to 0 has no distribution and gives ``nan``.
* Normalisation: ``normalized=True`` divides by the maximum over ``M`` bins
  (``ln M`` for Shannon and Rényi), giving a dimensionless value in [0, 1].
* Bias: plug-in estimates from counts are biased low by about ``(K − 1)/(2N)``
  nats (K occupied bins, N samples); :func:`miller_madow_entropy` adds that
  first-order correction.
"""

import math

import numpy as np
from scipy.special import digamma, gammaln, xlogy

from . import _checks


def _log_base(base):
    if base is None:
        return 1.0
    base_value = _checks.real_scalar(base, "base")
    if not base_value > 1.0 or not math.isfinite(base_value):
        raise ValueError(f"base: must be a finite number > 1 (got {_checks.shown(base)})")
    return math.log(base_value)


def _normalize(p, axis):
    """Return ``p / Σ p`` along ``axis`` (NaN where ``Σ p = 0``).

    Where ``Σ p`` of finite weights overflows, ``p`` is first divided by a power of
    two per slice (exact, so the probabilities are those ``p / Σ p`` would have).
    """
    with np.errstate(over="ignore"):
        total = np.sum(p, axis=axis, keepdims=True)
    if not np.isfinite(total).all():
        with np.errstate(over="ignore"):
            p = p / _checks.power_of_two_scale(p, axis)
        total = np.sum(p, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return p / total


def _sum_of_powers(probabilities, exponent, axis):
    """Return ``Σ p_i^exponent`` over non-zero ``p_i`` (NaN rows stay NaN; overflow gives inf)."""
    powered = probabilities * 0.0
    positive = probabilities > 0
    with np.errstate(over="ignore"):
        powered[positive] = probabilities[positive] ** exponent
    return np.sum(powered, axis=axis)


def shannon_entropy(p, axis=-1, base=None, normalized=False):
    """Return the Shannon entropy ``H = −Σ p_i log p_i`` of a distribution.

    Parameters
    ----------
    p : array_like of float
        Non-negative weights (probabilities or counts) along ``axis``; they are
        normalised to sum 1.
    axis : int, optional
        Axis holding the bins (default last).
    base : float, optional
        Logarithm base: None (default) for nats, 2 for bits.
    normalized : bool, optional
        Divide by ``log M`` (``M`` = number of bins along ``axis``, empty ones
        included) to get a value in [0, 1]; ``M = 1`` gives 0.

    Returns
    -------
    float or ndarray
        Entropy in nats (or in units of ``log base``); dimensionless if
        ``normalized``.  For counts this is the plug-in estimate, biased low by
        about ``(K − 1)/(2N)`` nats.  ``nan`` for a slice whose weights are all
        zero (no distribution).

    Raises
    ------
    ValueError
        If ``p`` is not real, is 0-d, negative, NaN or ±inf or has no bin along
        ``axis``; if ``axis`` is not an axis of ``p``; if ``base`` is not a
        finite number > 1; or if ``normalized`` is not a bool.
    """
    p, axis = _checks.weights(p, "p", axis)
    log_base = _log_base(base)
    normalized = _checks.flag(normalized, "normalized")
    probabilities = _normalize(p, axis)
    entropy = -np.sum(xlogy(probabilities, probabilities), axis=axis)
    if normalized:
        n_bins = p.shape[axis]
        return entropy / math.log(n_bins) if n_bins > 1 else entropy * 0.0
    return entropy / log_base


def miller_madow_entropy(counts, axis=-1, base=None):
    """Return the Miller–Madow bias-corrected Shannon entropy of histogram counts.

    ``H_MM = H_plugin + (K − 1) / (2N)`` nats, with ``K`` the number of
    non-empty bins and ``N`` the total count.  The correction removes the
    O(1/N) bias of the plug-in estimate for well-sampled distributions; it
    does not fix undersampling (``K`` much less than the true support).

    Parameters
    ----------
    counts : array_like
        Counts along ``axis``: finite whole numbers ``>= 0`` (raw counts, not
        probabilities) whose totals are below ``2**53``.
    axis : int, optional
        Axis holding the bins (default last).
    base : float, optional
        Logarithm base: None (default) for nats, 2 for bits.

    Returns
    -------
    float or ndarray
        Entropy in nats (or units of ``log base``); ``nan`` for a slice of
        zero counts.

    Raises
    ------
    ValueError
        If ``counts`` is not real, is 0-d, has no bin along ``axis``, or holds
        a value that is not a whole number ``>= 0``; if a total reaches
        ``2**53``; if ``axis`` is not an axis of ``counts``; or if ``base`` is
        not a finite number > 1.
    """
    counts, axis = _checks.weights(counts, "counts", axis)
    _checks.whole_numbers(counts, "counts", total_axis=axis)
    log_base = _log_base(base)
    total = np.sum(counts, axis=axis)
    occupied = np.count_nonzero(counts, axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        correction = (occupied - 1) / (2.0 * total)
    return shannon_entropy(counts, axis=axis) / log_base + correction / log_base


def renyi_entropy(p, alpha, axis=-1, base=None, normalized=False):
    """Return the Rényi entropy ``H_α = log(Σ p_i^α) / (1 − α)``.

    Limits: ``α → 1`` is the Shannon entropy (used exactly at ``α = 1``),
    ``α = 0`` the Hartley entropy ``log K`` (K non-empty bins) and
    ``α = inf`` the min-entropy ``−log max p_i``.

    Parameters
    ----------
    p : array_like of float
        Non-negative weights along ``axis``, normalised to sum 1.
    alpha : float
        Order ``α >= 0`` (``np.inf`` allowed).
    axis : int, optional
        Axis holding the bins (default last).
    base : float, optional
        Logarithm base: None (default) for nats, 2 for bits.
    normalized : bool, optional
        Divide by ``log M`` (the value for a uniform distribution on all ``M``
        bins) to get a value in [0, 1].

    Returns
    -------
    float or ndarray
        Entropy in nats (or units of ``log base``), non-increasing in ``α``;
        ``nan`` for a slice whose weights are all zero.

    Raises
    ------
    ValueError
        If ``alpha`` is not a real number ``>= 0``; otherwise as for
        :func:`shannon_entropy`.

    Notes
    -----
    For finite ``α ≠ 1`` it is evaluated as
    ``[α ln p_max + ln Σ (p_i/p_max)^α] / (1 − α)``, which neither underflows
    nor overflows for large ``α`` (``α = 1e308`` gives the min-entropy).
    """
    alpha_value = _checks.real_scalar(alpha, "alpha")
    if not alpha_value >= 0:
        raise ValueError(f"alpha: must be >= 0 (got {_checks.shown(alpha)})")
    p, axis = _checks.weights(p, "p", axis)
    log_base = _log_base(base)
    normalized = _checks.flag(normalized, "normalized")
    probabilities = _normalize(p, axis)
    if alpha_value == 1.0:
        entropy = -np.sum(xlogy(probabilities, probabilities), axis=axis)
    elif math.isinf(alpha_value):
        entropy = -np.log(np.max(probabilities, axis=axis))
    else:
        largest = np.max(probabilities, axis=axis)
        relative = probabilities / np.expand_dims(largest, axis)
        largest_term = alpha_value / (1.0 - alpha_value) * np.log(largest)
        power_sum_term = np.log(_sum_of_powers(relative, alpha_value, axis)) / (1.0 - alpha_value)
        entropy = largest_term + power_sum_term
    if normalized:
        n_bins = p.shape[axis]
        return entropy / math.log(n_bins) if n_bins > 1 else entropy * 0.0
    return entropy / log_base


def tsallis_entropy(p, q, axis=-1, normalized=False):
    """Return the Tsallis entropy ``S_q = (1 − Σ p_i^q) / (q − 1)``.

    ``q = 1`` gives the Shannon entropy in nats (used exactly).  Tsallis
    entropy is dimensionless (k = 1) and has no logarithm base.

    Parameters
    ----------
    p : array_like of float
        Non-negative weights along ``axis``, normalised to sum 1.
    q : float
        Entropic index (any finite real; ``q > 0`` is the usual range).
    axis : int, optional
        Axis holding the bins (default last).
    normalized : bool, optional
        Divide by the uniform-distribution value ``(M^(1−q) − 1)/(1 − q)``
        for ``M`` bins, giving a value in [0, 1] for ``q > 0``.

    Returns
    -------
    float or ndarray
        The Tsallis entropy (dimensionless); ``nan`` for a slice whose weights
        are all zero.

    Raises
    ------
    ValueError
        If ``q`` is not a finite real number, or if for ``q < 0`` the entropy
        (or, when normalised, the uniform value) overflows float64 (``p_i^q``
        of a tiny ``p_i``); otherwise as for :func:`shannon_entropy`.
    """
    q_value = _checks.real_scalar(q, "q")
    if not math.isfinite(q_value):
        raise ValueError(f"q: must be finite (got {_checks.shown(q)})")
    p, axis = _checks.weights(p, "p", axis)
    normalized = _checks.flag(normalized, "normalized")
    probabilities = _normalize(p, axis)
    n_bins = p.shape[axis]
    if q_value == 1.0:
        entropy = -np.sum(xlogy(probabilities, probabilities), axis=axis)
        maximum = math.log(n_bins)
    else:
        entropy = (1.0 - _sum_of_powers(probabilities, q_value, axis)) / (q_value - 1.0)
        with np.errstate(over="ignore"):
            maximum = float(np.expm1((1.0 - q_value) * math.log(n_bins))) / (1.0 - q_value)
    if np.isinf(entropy).any() or (normalized and not math.isfinite(maximum)):
        raise ValueError(
            f"q: S_q with q = {q_value:g} overflows float64 for these weights "
            "(p_i^q of a small p_i); use a larger q"
        )
    if normalized:
        return entropy / maximum if n_bins > 1 else entropy * 0.0
    return entropy


def _as_samples(samples):
    """Return finite samples as a float64 (n, d) array with n >= 2 and d >= 1."""
    samples = _checks.finite_floats(samples, "samples")
    if samples.ndim == 1:
        samples = samples[:, np.newaxis]
    if samples.ndim != 2 or samples.shape[0] < 2 or samples.shape[1] < 1:
        raise ValueError(
            f"samples: must have shape (n,) or (n, d) with n >= 2, d >= 1 "
            f"(got shape {samples.shape})"
        )
    return samples


def _scaled_samples(samples):
    """Return ``samples / s`` and ``ln s`` for the power of two ``s`` that brings them to [-2, 2].

    Differential entropies shift by ``d ln s`` under the scaling, and distances and
    covariances of the scaled samples neither overflow nor underflow.
    """
    scale = float(_checks.power_of_two_scale(samples))
    return samples / scale, math.log(scale)


def _histogram_range(range, n_dims):
    """Return ``range`` as a finite (n_dims, 2) array of ``low <= high`` rows, or None."""
    if range is None:
        return None
    limits = _checks.finite_floats(range, "range")
    if limits.shape != (n_dims, 2) or not (limits[:, 0] <= limits[:, 1]).all():
        raise ValueError(
            f"range: must be {n_dims} pair(s) (low, high) with low <= high "
            f"(got {_checks.shown(range)})"
        )
    return limits


def _histogram_bins(bins, n_dims):
    """Return ``bins`` for :func:`numpy.histogramdd`: a count or edges per dimension.

    Refuses more than :data:`analysis._checks.MAX_HISTOGRAM_BINS` bins in all.
    """
    if isinstance(bins, list | tuple) or (isinstance(bins, np.ndarray) and bins.ndim == 1):
        if len(bins) != n_dims:
            raise ValueError(f"bins: needs one entry per dimension, {n_dims} (got {len(bins)})")
        per_dim = [_checks.bin_count_or_edges(dim_bins, "bins") for dim_bins in bins]
    elif np.ndim(bins) == 0:
        per_dim = [_checks.bin_count_or_edges(bins, "bins")] * n_dims
    else:
        raise ValueError(
            f"bins: must be an integer or a sequence of {n_dims} counts or edge arrays "
            f"(got {_checks.shown(bins)})"
        )
    n_bins = math.prod(b if isinstance(b, int) else b.size - 1 for b in per_dim)
    if n_bins > _checks.MAX_HISTOGRAM_BINS:
        raise ValueError(
            f"bins: {n_bins} bins in all exceed the limit of {_checks.MAX_HISTOGRAM_BINS}"
        )
    return per_dim


def _width_edges(lows, highs, bin_width):
    """Return per-dimension edges at multiples of ``bin_width`` covering [lows, highs]."""
    widths = _checks.broadcast_to(
        _checks.finite_floats(bin_width, "bin_width"), lows.shape, "bin_width", "the dimensions"
    )
    if not (widths > 0).all():
        raise ValueError(f"bin_width: must be finite and > 0 (got {_checks.shown(bin_width)})")
    with np.errstate(over="ignore", invalid="ignore"):
        first = np.floor(lows / widths)
        n_edges = np.maximum(np.floor(highs / widths) - first + 2, 2)
        n_bins = np.prod(n_edges - 1)
    if not n_bins <= _checks.MAX_HISTOGRAM_BINS:
        raise ValueError(
            f"bin_width: gives {n_bins:.3g} bins in all, over the limit of "
            f"{_checks.MAX_HISTOGRAM_BINS}"
        )
    edges = [
        (start + np.arange(count)) * width
        for start, count, width in zip(first, n_edges.astype(int), widths, strict=True)
    ]
    if not all((np.diff(dim_edges) > 0).all() for dim_edges in edges):
        raise ValueError("bin_width: too small for the magnitude of the samples (edges collide)")
    return edges


def histogram_entropy(
    samples, bins=10, range=None, bin_width=None, differential=False, correction=None, base=None
):
    """Return the entropy of a histogram of 1-D or n-D samples.

    The samples are binned with :func:`numpy.histogramdd`; the discrete
    entropy is the plug-in Shannon entropy of the bin probabilities ``p_i``.
    With ``differential=True`` the bin volumes ``v_i`` are included,
    ``h = −Σ p_i log(p_i / v_i)``, which estimates the differential entropy of
    the underlying density (consistent as the bin width → 0 with many samples
    per bin; discretisation bias O(width²)).

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, d)
        Finite samples (rows) of a d-dimensional variable, ``n >= 2``.
    bins : int, sequence of int or sequence of arrays, optional
        Number of bins per dimension or explicit, strictly increasing bin
        edges (as for ``np.histogramdd``; a sequence has one entry per
        dimension).  At most :data:`analysis._checks.MAX_HISTOGRAM_BINS` bins
        in all.  Ignored when ``bin_width`` is given.
    range : sequence of (float, float), optional
        Lower and upper edge per dimension (as for ``np.histogramdd``).
    bin_width : float or sequence of float, optional
        Bin width per dimension, in the units of the samples; edges are
        multiples of the width covering the data (or ``range``).
    differential : bool, optional
        Return the differential entropy (with bin volumes) instead of the
        discrete entropy of the bin occupations.
    correction : {None, "miller_madow"}, optional
        Bias correction applied to the discrete part.
    base : float, optional
        Logarithm base: None (default) for nats, 2 for bits.

    Returns
    -------
    float
        Entropy in nats (or units of ``log base``).  The discrete value is in
        [0, log(number of bins)]; the differential value can be negative and
        carries the units of ``log(volume)``.

    Raises
    ------
    ValueError
        For samples that are not real, finite and of shape (n,) or (n, d) with
        ``n >= 2``; a data or ``range`` spread that overflows float64; no
        sample inside the bins; invalid ``bins``, ``range`` or ``bin_width``
        or more bins than the limit; a non-bool ``differential``; an unknown
        ``correction``; or a ``base`` that is not a finite number > 1.
    """
    samples = _as_samples(samples)
    log_base = _log_base(base)
    differential = _checks.flag(differential, "differential")
    if not (correction is None or (isinstance(correction, str) and correction == "miller_madow")):
        raise ValueError(
            f"correction: must be None or 'miller_madow' (got {_checks.shown(correction)})"
        )
    n_dims = samples.shape[1]
    limits = _histogram_range(range, n_dims)
    lows = samples.min(axis=0) if limits is None else limits[:, 0]
    highs = samples.max(axis=0) if limits is None else limits[:, 1]
    with np.errstate(over="ignore"):
        spread_overflows = not np.isfinite(highs - lows).all()
    if spread_overflows:
        argument = "samples" if limits is None else "range"
        raise ValueError(f"{argument}: spread high - low overflows float64")
    if bin_width is not None:
        bins, limits = _width_edges(lows, highs, bin_width), None
    else:
        bins = _histogram_bins(bins, n_dims)
    try:
        counts, edges = np.histogramdd(samples, bins=bins, range=limits)
    except ValueError as error:  # bins too narrow for float64 at the samples' magnitude
        raise ValueError(f"bins: cannot be resolved at the samples' magnitude ({error})") from None
    if not counts.any():
        raise ValueError("samples: none lies inside the histogram's bins")
    if correction == "miller_madow":
        entropy = miller_madow_entropy(counts.ravel())
    else:
        entropy = shannon_entropy(counts.ravel())
    if differential:
        probabilities = counts / counts.sum()
        for dim, dim_edges in enumerate(edges):
            shape = [1] * n_dims
            shape[dim] = -1
            entropy = entropy + np.sum(probabilities * np.log(np.diff(dim_edges)).reshape(shape))
    return float(entropy) / log_base


def _unit_ball_log_volume(n_dims):
    return 0.5 * n_dims * math.log(math.pi) - gammaln(0.5 * n_dims + 1.0)


def kozachenko_leonenko_entropy(samples, k=1, base=None):
    """Return the Kozachenko–Leonenko k-nearest-neighbour differential entropy.

    ``h = ψ(n) − ψ(k) + log V_d + (d/n) Σ_i log ε_i``, with ``ε_i`` the
    Euclidean distance from sample ``i`` to its k-th nearest neighbour and
    ``V_d`` the volume of the unit d-ball (Kraskov, Stögbauer & Grassberger
    2004, eq. 20).  Asymptotically unbiased and consistent for continuous
    densities; the finite-n bias is small for smooth densities in low d.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, d)
        Finite samples of a continuous variable, ``n >= 2``; must contain no
        duplicate points.
    k : int, optional
        Neighbour order (default 1).  Larger k lowers variance, raises bias.
    base : float, optional
        Logarithm base: None (default) for nats, 2 for bits.

    Returns
    -------
    float
        Differential entropy in nats (or units of ``log base``), in the units
        of ``log(length^d)`` of the samples; can be negative.

    Raises
    ------
    ValueError
        For samples that are not real, finite and of shape (n,) or (n, d) with
        ``n >= 2``; ``k`` not an integer in [1, n); duplicate points (zero
        neighbour distances make the estimate diverge); or a ``base`` that is
        not a finite number > 1.

    Notes
    -----
    The samples are divided by a power of two ``s`` (exact) that brings them
    into [-2, 2] and ``d ln s`` is added back, so samples near the limits of
    float64 (1e±300) give finite distances.
    """
    from scipy.spatial import cKDTree

    samples = _as_samples(samples)
    log_base = _log_base(base)
    n_samples, n_dims = samples.shape
    k = _checks.integer(k, "k", 1, n_samples - 1)
    scaled, log_scale = _scaled_samples(samples)
    distances, _ = cKDTree(scaled).query(scaled, k=k + 1)
    kth_distance = distances[:, k]
    if np.any(kth_distance == 0):
        raise ValueError("samples: contain duplicate points (zero nearest-neighbour distance)")
    entropy = (
        digamma(n_samples)
        - digamma(k)
        + _unit_ball_log_volume(n_dims)
        + n_dims * (np.mean(np.log(kth_distance)) + log_scale)
    )
    return float(entropy) / log_base


def kde_entropy(samples, bandwidth=None, base=None):
    """Return the leave-one-out Gaussian-KDE estimate of the differential entropy.

    ``h = −(1/n) Σ_i log f̂_{−i}(x_i)`` where ``f̂_{−i}`` is the Gaussian kernel
    density estimate (:class:`scipy.stats.gaussian_kde`) without sample ``i``.
    Leaving the sample out removes the strong downward bias of plain
    resubstitution; the remaining bias comes from kernel smoothing (upward,
    O(bandwidth²)).  Cost is O(n²): meant for n up to ~10⁴.

    Parameters
    ----------
    samples : array_like, shape (n,) or (n, d)
        Finite samples of a continuous variable, ``n >= d + 2``.
    bandwidth : {None, "scott", "silverman"}, float or callable, optional
        ``bw_method`` of :class:`scipy.stats.gaussian_kde` (default Scott's
        rule): a rule, a factor > 0 multiplying the sample covariance's square
        root (dimensionless), or a callable returning that factor.
    base : float, optional
        Logarithm base: None (default) for nats, 2 for bits.

    Returns
    -------
    float
        Differential entropy in nats (or units of ``log base``).

    Raises
    ------
    ValueError
        For samples that are not real, finite and of shape (n,) or (n, d);
        fewer than ``d + 2`` samples; a singular sample covariance; an isolated
        sample (zero leave-one-out density); a ``bandwidth`` that is not a rule,
        a finite factor > 0 or a callable returning one; or a ``base`` that is
        not a finite number > 1.

    Notes
    -----
    As for :func:`kozachenko_leonenko_entropy`, the samples are scaled by a
    power of two into [-2, 2] and ``d ln s`` is added back.
    """
    from scipy.stats import gaussian_kde

    samples = _as_samples(samples)
    log_base = _log_base(base)
    n_samples, n_dims = samples.shape
    if n_samples < n_dims + 2:
        raise ValueError(f"samples: need at least d + 2 = {n_dims + 2} samples")
    if isinstance(bandwidth, str):
        if bandwidth not in ("scott", "silverman"):
            raise ValueError(
                f"bandwidth: must be 'scott', 'silverman', a factor or a callable "
                f"(got {_checks.shown(bandwidth)})"
            )
    elif not (bandwidth is None or callable(bandwidth)):
        bandwidth = _checks.positive_scalar(bandwidth, "bandwidth")
    scaled, log_scale = _scaled_samples(samples)
    try:
        kde = gaussian_kde(scaled.T, bw_method=bandwidth)
    except np.linalg.LinAlgError:
        raise ValueError("samples: covariance is singular; cannot build a KDE") from None
    except OverflowError:
        raise ValueError(
            f"bandwidth: {_checks.shown(bandwidth)} overflows the covariance"
        ) from None
    factor = _checks.real_scalar(kde.factor, "bandwidth")
    if not (factor > 0 and np.isfinite(kde.covariance).all()):
        raise ValueError(
            f"bandwidth: gives the factor {_checks.shown(factor)}; the kernel covariance "
            "must be finite and positive"
        )
    sign, log_det = np.linalg.slogdet(2.0 * math.pi * kde.covariance)
    if sign <= 0:
        raise ValueError("samples: covariance is singular; cannot build a KDE")
    density = kde(scaled.T)
    self_contribution = math.exp(-0.5 * log_det)
    leave_one_out = (n_samples * density - self_contribution) / (n_samples - 1)
    if not np.all(leave_one_out > 0) or not np.all(np.isfinite(leave_one_out)):
        raise ValueError("samples: an isolated sample has zero leave-one-out density")
    return float(-np.mean(np.log(leave_one_out)) + n_dims * log_scale) / log_base


def spectral_entropy(signal, axis=-1, normalized=True, base=None):
    """Return the Shannon entropy of the normalised power spectrum of a signal or field.

    The mean is removed, the power ``|X(f)|²`` is computed with
    :func:`numpy.fft.rfftn` over ``axis`` (one-sided along the last of the
    transformed axes), the zero-frequency bin is dropped, and the remaining
    powers are normalised to a distribution whose Shannon entropy is returned.
    A pure tone on an exact Fourier frequency gives 0; white noise gives about
    ``log M − (1 − γ)`` (γ = Euler's constant, M frequency bins), i.e. a
    normalised value slightly below 1 because periodogram values scatter.

    Parameters
    ----------
    signal : array_like of float
        The signal (1-D along ``axis``) or field (n-D over ``axis``).
    axis : int or tuple of int, optional
        Axis or axes transformed (default last); None for all.
    normalized : bool, optional
        Divide by ``log M`` (default True) for a value in [0, 1].
    base : float, optional
        Logarithm base when not normalised: None for nats, 2 for bits.

    Returns
    -------
    float or ndarray
        Spectral entropy; the transformed axes are removed.  ``nan`` for a
        constant signal (no power outside zero frequency).

    Raises
    ------
    ValueError
        If ``signal`` is not real, is 0-d or holds NaN or ±inf; if ``axis``
        is not an axis (or a tuple of distinct axes) of ``signal``; if a
        transformed axis has fewer than 3 samples; if ``base`` is not a
        finite number > 1; or if ``normalized`` is not a bool.

    Notes
    -----
    Each slice is divided by a power of two (exact; the spectrum's shape is
    scale-invariant), so values near the limits of float64 neither overflow
    nor underflow in the power.
    """
    signal = _checks.finite_floats(signal, "signal", min_ndim=1)
    axes = _checks.axis_indices(axis, signal.ndim)
    if any(signal.shape[a] < 3 for a in axes):
        raise ValueError("signal: need at least 3 samples along each transformed axis")
    log_base = _log_base(base)
    normalized = _checks.flag(normalized, "normalized")
    scaled = signal / _checks.power_of_two_scale(signal, axes)
    centered = scaled - scaled.mean(axis=axes, keepdims=True)
    is_constant = np.max(scaled, axis=axes, keepdims=True) == np.min(
        scaled, axis=axes, keepdims=True
    )
    centered = np.where(is_constant, 0.0, centered)
    power = np.abs(np.fft.rfftn(centered, axes=axes)) ** 2
    other_axes = [a for a in range(signal.ndim) if a not in axes]
    power = np.moveaxis(power, other_axes, np.arange(len(other_axes)))
    n_other = len(other_axes)
    flat = power.reshape(power.shape[:n_other] + (math.prod(power.shape[n_other:]),))[..., 1:]
    entropy = shannon_entropy(flat, axis=-1, normalized=normalized)
    return entropy if normalized else entropy / log_base
