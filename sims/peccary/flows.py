"""Jitted dissipative and Hamiltonian flows integrated with the classical fixed-step RK4.

Systems (``system`` codes) and their state vectors:

* :data:`LORENZ` (x, y, z): ẋ = σ(y − x), ẏ = x(ρ − z) − y, ż = xy − βz;
* :data:`ROSSLER` (x, y, z): ẋ = −y − z, ẏ = x + ay, ż = b + z(x − c);
* :data:`DOUBLE_PENDULUM` (θ₁, θ₂, ω₁, ω₂): two point masses m₁, m₂ on massless rods l₁, l₂ in
  gravity g, angles from the downward vertical (rad), energy
  E = ½(m₁+m₂)l₁²ω₁² + ½m₂l₂²ω₂² + m₂l₁l₂ω₁ω₂cos(θ₁−θ₂) − (m₁+m₂)gl₁cosθ₁ − m₂gl₂cosθ₂.

RK4 is not symplectic: the double pendulum's energy error grows linearly in time and as h⁴ with the
step (tested); the recorded invariant makes the error visible for every run.
"""

from __future__ import annotations

import numba as nb
import numpy as np

LORENZ, ROSSLER, DOUBLE_PENDULUM = 0, 1, 2


@nb.njit(cache=True)
def derivative(system, constants, state, out):
    """Write d(state)/dt of ``system`` into ``out`` (``constants`` as in the module docstring)."""
    if system == LORENZ:
        sigma, rho, beta = constants[0], constants[1], constants[2]
        x, y, z = state[0], state[1], state[2]
        out[0] = sigma * (y - x)
        out[1] = x * (rho - z) - y
        out[2] = x * y - beta * z
    elif system == ROSSLER:
        a, b, c = constants[0], constants[1], constants[2]
        x, y, z = state[0], state[1], state[2]
        out[0] = -y - z
        out[1] = x + a * y
        out[2] = b + z * (x - c)
    else:
        m1, m2, l1, l2, g = constants[0], constants[1], constants[2], constants[3], constants[4]
        theta1, theta2, omega1, omega2 = state[0], state[1], state[2], state[3]
        delta = theta1 - theta2
        denominator = 2.0 * m1 + m2 - m2 * np.cos(2.0 * delta)
        out[0] = omega1
        out[1] = omega2
        out[2] = (
            -g * (2.0 * m1 + m2) * np.sin(theta1)
            - m2 * g * np.sin(theta1 - 2.0 * theta2)
            - 2.0
            * np.sin(delta)
            * m2
            * (omega2 * omega2 * l2 + omega1 * omega1 * l1 * np.cos(delta))
        ) / (l1 * denominator)
        out[3] = (
            2.0
            * np.sin(delta)
            * (
                omega1 * omega1 * l1 * (m1 + m2)
                + g * (m1 + m2) * np.cos(theta1)
                + omega2 * omega2 * l2 * m2 * np.cos(delta)
            )
        ) / (l2 * denominator)


@nb.njit(cache=True)
def double_pendulum_energy(constants, state):
    """Total energy of the double pendulum (mass·length²/time²)."""
    m1, m2, l1, l2, g = constants[0], constants[1], constants[2], constants[3], constants[4]
    theta1, theta2, omega1, omega2 = state[0], state[1], state[2], state[3]
    kinetic = (
        0.5 * (m1 + m2) * l1 * l1 * omega1 * omega1
        + 0.5 * m2 * l2 * l2 * omega2 * omega2
        + m2 * l1 * l2 * omega1 * omega2 * np.cos(theta1 - theta2)
    )
    potential = -(m1 + m2) * g * l1 * np.cos(theta1) - m2 * g * l2 * np.cos(theta2)
    return kinetic + potential


@nb.njit(cache=True)
def rk4(system, constants, state, time_step, substeps, variables, out, invariant, first, n_samples):
    """Record then advance ``n_samples`` samples of ``substeps`` RK4 steps each.

    Parameters
    ----------
    system : int
        :data:`LORENZ`, :data:`ROSSLER` or :data:`DOUBLE_PENDULUM`.
    constants : ndarray
        The system's constants (module docstring order).
    state : ndarray
        State vector, advanced in place.
    time_step : float
        RK4 step h (time).
    substeps : int
        Steps per sample.
    variables : ndarray of int
        State component written to each row of ``out``.
    out : ndarray, shape (rows, samples)
        Series.
    invariant : ndarray, shape (samples,)
        Energy of the double pendulum (NaN for the dissipative flows).
    first, n_samples : int
        First sample index and number of samples.
    """
    size = state.size
    stages = np.empty((5, size))
    k1, k2, k3, k4, trial = stages[0], stages[1], stages[2], stages[3], stages[4]
    half = 0.5 * time_step
    sixth = time_step / 6.0
    for i in range(first, first + n_samples):
        for row in range(variables.size):
            out[row, i] = state[variables[row]]
        if system == DOUBLE_PENDULUM:
            invariant[i] = double_pendulum_energy(constants, state)
        else:
            invariant[i] = np.nan
        for _ in range(substeps):
            derivative(system, constants, state, k1)
            for j in range(size):
                trial[j] = state[j] + half * k1[j]
            derivative(system, constants, trial, k2)
            for j in range(size):
                trial[j] = state[j] + half * k2[j]
            derivative(system, constants, trial, k3)
            for j in range(size):
                trial[j] = state[j] + time_step * k3[j]
            derivative(system, constants, trial, k4)
            for j in range(size):
                state[j] += sixth * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j])
