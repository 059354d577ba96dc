import numba as nb
import numpy as np

from sims.core import rng

MASK = (1 << 64) - 1


def reference_xoshiro256starstar(state, count):
    """Independent pure-Python transcription of Blackman & Vigna's reference C code."""
    s = [int(v) for v in state]

    def rotl(x, k):
        return ((x << k) | (x >> (64 - k))) & MASK

    out = []
    for _ in range(count):
        out.append(rotl((s[1] * 5) & MASK, 7) * 9 & MASK)
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


@nb.njit
def draw_words(state, count):
    out = np.empty(count, np.uint64)
    for i in range(count):
        out[i] = rng.next_uint64(state)
    return out


@nb.njit
def draw_below(state, bound, count):
    out = np.empty(count, np.int64)
    for i in range(count):
        out[i] = rng.next_below(state, bound)
    return out


def test_xoshiro_matches_reference_implementation():
    state = np.array([1, 2, 3, 4], dtype=np.uint64)
    assert draw_words(state.copy(), 50).tolist() == reference_xoshiro256starstar(state, 50)
    assert reference_xoshiro256starstar(state, 1) == [11520]


def test_member_streams_match_numpy_spawn_and_differ():
    spawned = np.random.SeedSequence(42).spawn(3)
    for member in range(3):
        ours = rng.member_seed_sequence(42, member)
        assert (ours.generate_state(4) == spawned[member].generate_state(4)).all()
    states = [tuple(rng.xoshiro_state(rng.member_seed_sequence(42, m))) for m in range(3)]
    assert len(set(states)) == 3


def test_children_are_a_fresh_spawn_and_leave_the_sequence_unchanged():
    sequence = rng.member_seed_sequence(42, 3)
    ours = rng.children(sequence, 3)
    assert sequence.n_children_spawned == 0
    for mine, numpy in zip(ours, np.random.SeedSequence(42, spawn_key=(3,)).spawn(3), strict=True):
        assert mine.spawn_key == numpy.spawn_key
        np.testing.assert_array_equal(mine.generate_state(4), numpy.generate_state(4))


def test_two_models_from_one_seed_sequence_are_the_same_run():
    from sims.couzin.model import CouzinModel

    params = CouzinModel.Params(n_agents=20)
    sequence = rng.member_seed_sequence(7, 0)
    first, second = CouzinModel(params, sequence), CouzinModel(params, sequence)
    np.testing.assert_array_equal(first.positions, second.positions)
    np.testing.assert_array_equal(first.rng_state, second.rng_state)


def test_bounded_integers_are_uniform():
    bound, count = 7, 700_000
    counts = np.bincount(
        draw_below(rng.xoshiro_state(np.random.SeedSequence(3)), bound, count), minlength=bound
    )
    expected = count / bound
    chi_square = ((counts - expected) ** 2 / expected).sum()
    assert chi_square < 22.46  # 99.9% quantile of chi-square with 6 degrees of freedom


def test_bounded_integers_reject_the_biased_tail():
    # bound = 3 * 2**30: a plain multiply-shift floor(3 r / 4) hits multiples of 3 twice as often
    # as the other values (residues mod 3 with probabilities 1/2, 1/4, 1/4); exact rejection: 1/3.
    bound = 3 << 30
    values = draw_below(rng.xoshiro_state(np.random.SeedSequence(5)), bound, 300_000)
    residues = np.bincount(values % 3, minlength=3) / values.size
    np.testing.assert_allclose(residues, 1 / 3, atol=0.005)
