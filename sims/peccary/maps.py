"""Jitted chaotic maps; each writes its current state and then iterates once per sample.

The plain tent map x → μ min(x, 1 − x) with μ = 2 is useless in floating point: doubling a binary
fraction shifts its mantissa one bit left, so every float64 orbit reaches the fixed point 0 exactly
after at most ~55 iterations (peccary's own ``tentMap`` does, by sample 60). The *skew* tent map
x → x/a for x < a, (1 − x)/(1 − a) otherwise, with a peak ``a`` that is not a dyadic fraction,
rounds differently at every step and keeps a chaotic float64 orbit (its invariant density is
uniform on [0, 1], its Lyapunov exponent −a ln a − (1 − a) ln(1 − a)).
"""

from __future__ import annotations

import numba as nb
import numpy as np

TWO_PI = 2.0 * np.pi


@nb.njit(cache=True)
def logistic(state, growth_rate, out, first, n_samples):
    """Iterate x → r x (1 − x); ``state = [x]``, ``out[0]`` receives x."""
    x = state[0]
    for i in range(first, first + n_samples):
        out[0, i] = x
        x = growth_rate * x * (1.0 - x)
    state[0] = x


@nb.njit(cache=True)
def henon(state, a, b, variables, out, first, n_samples):
    """(x, y) → (1 − a x² + y, b x); ``variables`` are indices 0 (x) or 1 (y) per output row."""
    x, y = state[0], state[1]
    for i in range(first, first + n_samples):
        for row in range(variables.size):
            out[row, i] = x if variables[row] == 0 else y
        x, y = 1.0 - a * (x * x) + y, b * x
    state[0], state[1] = x, y


@nb.njit(cache=True)
def skew_tent(state, peak, out, first, n_samples):
    """Iterate x → x / a (x < a), (1 − x) / (1 − a) (x >= a); ``state = [x]``."""
    x = state[0]
    for i in range(first, first + n_samples):
        out[0, i] = x
        x = x / peak if x < peak else (1.0 - x) / (1.0 - peak)
    state[0] = x


@nb.njit(cache=True)
def standard_map(state, kick, variables, out, first, n_samples):
    """Chirikov's map on the torus: p → p + K sin θ, θ → θ + p (both mod 2π).

    ``state = [θ, p]``; ``variables`` are 0 (θ) or 1 (p) per output row (rad).
    """
    theta, momentum = state[0], state[1]
    for i in range(first, first + n_samples):
        for row in range(variables.size):
            out[row, i] = theta if variables[row] == 0 else momentum
        momentum = (momentum + kick * np.sin(theta)) % TWO_PI
        theta = (theta + momentum) % TWO_PI
    state[0], state[1] = theta, momentum
