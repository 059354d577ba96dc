"""Random streams: one SeedSequence tree per scenario and a jitted xoshiro256** generator.

Every run (sweep point, member) draws from its own stream, derived from the scenario's root seed
and the member index alone, so results do not depend on how many MPI ranks share the work. Sweep
points share member streams (common random numbers), which makes differences between points a
function of the parameters rather than of the noise.

Kernels that need tens of millions of draws per second take an explicit ``uint64[4]`` state array
and call :func:`next_uint64`, :func:`next_double` or :func:`next_below` (Blackman & Vigna's
xoshiro256**, Lemire's unbiased bounded integers). The state is a plain array: it is checkpointed
with the model and never shared between runs. No global random state is used anywhere.
"""

import numba as nb
import numpy as np

_STATE_WORDS = 4


def member_seed_sequence(root_seed: int, member: int) -> np.random.SeedSequence:
    """Return the SeedSequence of one ensemble member.

    Identical to ``np.random.SeedSequence(root_seed).spawn(member + 1)[member]``, computed without
    spawning the siblings.

    Parameters
    ----------
    root_seed : int
        The scenario's ``seed`` (non-negative).
    member : int
        Member index, 0-based.
    """
    return np.random.SeedSequence(root_seed, spawn_key=(member,))


def children(seed_sequence: np.random.SeedSequence, count: int) -> list[np.random.SeedSequence]:
    """Return the children a fresh ``seed_sequence.spawn(count)`` gives, without spawning.

    ``spawn`` counts the children it has handed out, so a second model built from the same
    SeedSequence object would get other streams; these are the same whoever asks first.
    """
    return [
        np.random.SeedSequence(
            seed_sequence.entropy,
            spawn_key=(*seed_sequence.spawn_key, index),
            pool_size=seed_sequence.pool_size,
        )
        for index in range(count)
    ]


def xoshiro_state(seed_sequence: np.random.SeedSequence) -> np.ndarray:
    """Return a fresh xoshiro256** state (``uint64[4]``, never all zero) from a SeedSequence."""
    state = seed_sequence.generate_state(_STATE_WORDS, np.uint64)
    if not state.any():  # the one state xoshiro cannot leave; probability 2**-256
        state[0] = 1
    return state


@nb.njit(inline="always")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@nb.njit(inline="always")
def next_uint64(state):
    """Advance ``state`` in place and return the next 64 random bits (xoshiro256**)."""
    result = _rotl(state[1] * np.uint64(5), 7) * np.uint64(9)
    shifted = state[1] << np.uint64(17)
    state[2] ^= state[0]
    state[3] ^= state[1]
    state[1] ^= state[2]
    state[0] ^= state[3]
    state[2] ^= shifted
    state[3] = _rotl(state[3], 45)
    return result


@nb.njit(inline="always")
def next_double(state):
    """Return a uniform double in [0, 1) with 53 random bits."""
    return np.float64(next_uint64(state) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@nb.njit(inline="always")
def bounded_from_bits(bits32, bound, state):
    """Map 32 random bits to an unbiased integer in [0, bound), ``bound < 2**32`` (Lemire 2019).

    Draws fresh bits from ``state`` only in the rare rejection case, so the result is exactly
    uniform.
    """
    product = np.uint64(bits32) * np.uint64(bound)
    low = product & np.uint64(0xFFFFFFFF)
    if low < np.uint64(bound):
        threshold = (np.uint64(0x100000000) - np.uint64(bound)) % np.uint64(bound)
        while low < threshold:
            product = (next_uint64(state) >> np.uint64(32)) * np.uint64(bound)
            low = product & np.uint64(0xFFFFFFFF)
    return np.int64(product >> np.uint64(32))


@nb.njit(inline="always")
def next_below(state, bound):
    """Return an unbiased random integer in [0, bound) for ``0 < bound < 2**32``."""
    return bounded_from_bits(next_uint64(state) >> np.uint64(32), bound, state)
