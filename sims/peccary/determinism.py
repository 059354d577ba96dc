"""The classification with a stated significance, per series of a PECCARY run.

Next to the paper's regions (``peccary_classification``), every series is classified by
:func:`analysis.ordinal.classify_robust`: periodic → regular; otherwise an IAAFT surrogate test
(``robust_surrogates`` surrogates, level ``robust_alpha``) of the null hypothesis "linear Gaussian
process seen through a monotone function" over the default delay set → complex or stochastic.
The test is one per series (its statistic already combines the delays), so the variables are on
``series`` alone. Each series draws its surrogates from its own stream, the run's member
SeedSequence extended by a hash of :data:`SEED_PREFIX` and the series label: a run and
``entrosim analyze`` of its file give bitwise-identical results, and adding, removing or reordering
series does not change the others' streams.
"""

from __future__ import annotations

import math

import numpy as np

from analysis import ordinal
from sims.core.output import NAN_MEANING
from sims.peccary.generators import block_seed
from sims.peccary.workflow import REGIME_FLAGS, ROBUST_VARIABLES

SEED_PREFIX = "(robust classification) "
"""Prefix of the name hashed, with the series label, into each series' surrogate stream
(:func:`generators.block_seed`); no series name has brackets, so no stream is a series'."""

TOO_SHORT = "x: "
"""Start of :func:`analysis.ordinal.classify_robust`'s errors about the series itself: with NaN
handled before and the other arguments checked by the parameters, a series too short for the
delays (whole or after end matching). Any other error is raised."""

NOT_TESTED = (
    "not tested: robust_surrogates = 0, a NaN gap, a series too short for the delays, or a "
    "periodic series (regular without a test)"
)


def analyse_determinism(values, labels, order, surrogates, alpha, seed_sequence):
    """Return the robust regime code and p-value of each row of ``values``.

    Parameters
    ----------
    values : ndarray, shape (series, samples)
        Series (NaN marks a gap: such a series is not tested).
    labels : sequence of str, length series
        The series labels (each names its surrogate stream).
    order : int
        Embedding dimension.
    surrogates : int
        IAAFT surrogates per series (0: no test, every code −1).
    alpha : float
        Significance level.
    seed_sequence : numpy.random.SeedSequence
        The run's member SeedSequence.

    Returns
    -------
    dict of str to ndarray
        ``robust_classification`` (int8 codes of :data:`analysis.ordinal.REGIMES`, −1 where not
        classified) and ``determinism_p_value`` (NaN where not tested).
    """
    n_series = values.shape[0]
    codes = np.full(n_series, ordinal.UNDEFINED_CODE, dtype=np.int8)
    p_values = np.full(n_series, np.nan)
    if surrogates == 0:
        return dict(zip(ROBUST_VARIABLES, (codes, p_values), strict=True))
    for row, label in enumerate(labels):
        if np.isnan(values[row]).any():
            continue
        stream = block_seed(seed_sequence, SEED_PREFIX + str(label))
        try:
            verdict = ordinal.classify_robust(
                values[row], order, surrogates=surrogates, alpha=alpha, seed=stream
            )
        except ValueError as error:
            if not str(error).startswith(TOO_SHORT):
                raise
            continue
        codes[row] = ordinal.REGIMES.index(verdict["regime"])
        p_values[row] = verdict["p_value"]
    return dict(zip(ROBUST_VARIABLES, (codes, p_values), strict=True))


def determinism_variables(result, order, surrogates, alpha):
    """The results of :func:`analyse_determinism` as (dims, values, attrs) tuples."""
    method = (
        f"analysis.ordinal.classify_robust (order {order}, {surrogates} IAAFT surrogates, "
        f"alpha {alpha:g})"
    )
    return {
        "robust_classification": (
            ("series",),
            result["robust_classification"],
            {"units": "1", "long_name": f"regime by {method}", **REGIME_FLAGS},
        ),
        "determinism_p_value": (
            ("series",),
            result["determinism_p_value"],
            {
                "units": "1",
                "long_name": "Monte-Carlo p-value of the null hypothesis 'monotone function of a "
                f"linear Gaussian process' ({method})",
                NAN_MEANING: NOT_TESTED,
            },
        ),
    }


def minimum_surrogates(alpha):
    """Fewest surrogates whose smallest p-value ``1/(S+1)`` lies below ``alpha``."""
    return math.floor(1.0 / alpha)
