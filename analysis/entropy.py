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


def _log_base(base):
    if base is None:
        return 1.0
    base = float(base)
    if not base > 1.0 or not math.isfinite(base):
        raise ValueError(f"base: must be a finite number > 1 (got {base})")
    return math.log(base)


def _as_weights(p, argument="p"):
    p = np.asarray(p, dtype=np.float64)
    if p.ndim == 0:
        raise ValueError(f"{argument}: must have at least one dimension")
    if not np.all(np.isfinite(p)):
        raise ValueError(f"{argument}: must be finite (got NaN or inf)")
    if np.any(p < 0):
        raise ValueError(f"{argument}: must be non-negative")
    return p


def _normalize(p, axis):
    total = np.sum(p, axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return p / total


def _sum_of_powers(probabilities, exponent, axis):
    """Return ``Σ p_i^exponent`` over non-zero ``p_i`` (NaN rows stay NaN)."""
    powered = probabilities * 0.0
    positive = probabilities > 0
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
        about ``(K − 1)/(2N)`` nats.

    Raises
    ------
    ValueError
        If ``p`` is negative, not finite or a scalar, or ``base <= 1``.
    """
    p = _as_weights(p)
    log_base = _log_base(base)
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
        Non-negative counts along ``axis`` (raw counts, not probabilities).
    axis : int, optional
        Axis holding the bins (default last).
    base : float, optional
        Logarithm base: None (default) for nats, 2 for bits.

    Returns
    -------
    float or ndarray
        Entropy in nats (or units of ``log base``).

    Raises
    ------
    ValueError
        If ``counts`` is negative or not finite, or ``base <= 1``.
    """
    counts = _as_weights(counts, "counts")
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
        Entropy in nats (or units of ``log base``), non-increasing in ``α``.

    Raises
    ------
    ValueError
        If ``alpha`` is negative or NaN, or ``p`` is invalid.
    """
    alpha = float(alpha)
    if not alpha >= 0:
        raise ValueError(f"alpha: must be >= 0 (got {alpha})")
    p = _as_weights(p)
    log_base = _log_base(base)
    probabilities = _normalize(p, axis)
    if alpha == 1.0:
        entropy = -np.sum(xlogy(probabilities, probabilities), axis=axis)
    elif math.isinf(alpha):
        entropy = -np.log(np.max(probabilities, axis=axis))
    else:
        with np.errstate(divide="ignore"):
            entropy = np.log(_sum_of_powers(probabilities, alpha, axis)) / (1.0 - alpha)
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
        The Tsallis entropy.

    Raises
    ------
    ValueError
        If ``q`` is not finite, or ``p`` is invalid.
    """
    q = float(q)
    if not math.isfinite(q):
        raise ValueError(f"q: must be finite (got {q})")
    p = _as_weights(p)
    probabilities = _normalize(p, axis)
    n_bins = p.shape[axis]
    if q == 1.0:
        entropy = -np.sum(xlogy(probabilities, probabilities), axis=axis)
        maximum = math.log(n_bins)
    else:
        entropy = (1.0 - _sum_of_powers(probabilities, q, axis)) / (q - 1.0)
        maximum = (n_bins ** (1.0 - q) - 1.0) / (1.0 - q)
    if normalized:
        return entropy / maximum if n_bins > 1 else entropy * 0.0
    return entropy


def _as_samples(samples):
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim == 1:
        samples = samples[:, np.newaxis]
    if samples.ndim != 2 or samples.shape[0] < 2:
        raise ValueError(
            f"samples: must have shape (n,) or (n, d) with n >= 2 (got shape {np.shape(samples)})"
        )
    if not np.all(np.isfinite(samples)):
        raise ValueError("samples: must be finite (got NaN or inf)")
    return samples


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
        Samples (rows) of a d-dimensional variable.
    bins : int, sequence of int or sequence of arrays, optional
        Number of bins per dimension or explicit bin edges (as for
        ``np.histogramdd``).  Ignored when ``bin_width`` is given.
    range : sequence of (float, float), optional
        Lower and upper edge per dimension (as for ``np.histogramdd``).
    bin_width : float or sequence of float, optional
        Bin width per dimension; edges are multiples of the width covering the
        data (or ``range``).
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
        For non-finite samples, fewer than two samples, a non-positive
        ``bin_width`` or an unknown ``correction``.
    """
    samples = _as_samples(samples)
    log_base = _log_base(base)
    if correction not in (None, "miller_madow"):
        raise ValueError(f"correction: must be None or 'miller_madow' (got {correction!r})")
    n_dims = samples.shape[1]
    if bin_width is not None:
        widths = np.broadcast_to(np.asarray(bin_width, dtype=np.float64), (n_dims,))
        if not np.all(widths > 0) or not np.all(np.isfinite(widths)):
            raise ValueError("bin_width: must be finite and > 0")
        lows = samples.min(axis=0) if range is None else np.array([r[0] for r in range])
        highs = samples.max(axis=0) if range is None else np.array([r[1] for r in range])
        bins = []
        for low, high, width in zip(lows, highs, widths, strict=True):
            first = math.floor(low / width)
            n_edges = max(math.floor(high / width) - first + 2, 2)
            bins.append((first + np.arange(n_edges)) * width)
        range = None
    counts, edges = np.histogramdd(samples, bins=bins, range=range)
    if correction == "miller_madow":
        entropy = miller_madow_entropy(counts.ravel())
    else:
        entropy = shannon_entropy(counts.ravel())
    if differential:
        volumes = np.ones_like(counts)
        for dim, dim_edges in enumerate(edges):
            shape = [1] * n_dims
            shape[dim] = -1
            volumes = volumes * np.diff(dim_edges).reshape(shape)
        probabilities = counts / counts.sum()
        entropy = entropy + np.sum(probabilities * np.log(volumes))
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
        Samples of a continuous variable; must contain no duplicate points.
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
        For non-finite samples, ``k`` not in [1, n), or duplicate points
        (zero neighbour distances make the estimate diverge).
    """
    from scipy.spatial import cKDTree

    samples = _as_samples(samples)
    log_base = _log_base(base)
    n_samples, n_dims = samples.shape
    if int(k) != k or not 1 <= k < n_samples:
        raise ValueError(f"k: must be an integer in [1, {n_samples - 1}] (got {k})")
    k = int(k)
    distances, _ = cKDTree(samples).query(samples, k=k + 1)
    kth_distance = distances[:, k]
    if np.any(kth_distance == 0):
        raise ValueError("samples: contain duplicate points (zero nearest-neighbour distance)")
    entropy = (
        digamma(n_samples)
        - digamma(k)
        + _unit_ball_log_volume(n_dims)
        + n_dims * np.mean(np.log(kth_distance))
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
        Samples of a continuous variable.
    bandwidth : str, float or callable, optional
        ``bw_method`` of :class:`scipy.stats.gaussian_kde` (default Scott's rule).
    base : float, optional
        Logarithm base: None (default) for nats, 2 for bits.

    Returns
    -------
    float
        Differential entropy in nats (or units of ``log base``).

    Raises
    ------
    ValueError
        For non-finite samples, fewer than ``d + 2`` samples or a singular
        sample covariance.
    """
    from scipy.stats import gaussian_kde

    samples = _as_samples(samples)
    log_base = _log_base(base)
    n_samples, n_dims = samples.shape
    if n_samples < n_dims + 2:
        raise ValueError(f"samples: need at least d + 2 = {n_dims + 2} samples")
    try:
        kde = gaussian_kde(samples.T, bw_method=bandwidth)
    except np.linalg.LinAlgError:
        raise ValueError("samples: covariance is singular; cannot build a KDE") from None
    density = kde(samples.T)
    self_contribution = 1.0 / math.sqrt(np.linalg.det(2.0 * math.pi * kde.covariance))
    leave_one_out = (n_samples * density - self_contribution) / (n_samples - 1)
    if np.any(leave_one_out <= 0):
        raise ValueError("samples: an isolated sample has zero leave-one-out density")
    return float(-np.mean(np.log(leave_one_out))) / log_base


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
        Axis or axes transformed (default last).
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
        For non-finite input or fewer than 3 samples along a transformed axis.
    """
    signal = np.asarray(signal, dtype=np.float64)
    if not np.all(np.isfinite(signal)):
        raise ValueError("signal: must be finite (got NaN or inf)")
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    axes = tuple(a % signal.ndim for a in axes)
    if any(signal.shape[a] < 3 for a in axes):
        raise ValueError("signal: need at least 3 samples along each transformed axis")
    log_base = _log_base(base)
    centered = signal - signal.mean(axis=axes, keepdims=True)
    power = np.abs(np.fft.rfftn(centered, axes=axes)) ** 2
    other_axes = [a for a in range(signal.ndim) if a not in axes]
    power = np.moveaxis(power, other_axes, np.arange(len(other_axes)))
    flat = power.reshape(power.shape[: len(other_axes)] + (-1,))[..., 1:]
    entropy = shannon_entropy(flat, axis=-1, normalized=normalized)
    return entropy if normalized else entropy / log_base
