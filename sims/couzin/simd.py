"""Vectorised candidate compaction for the periodic Couzin sweep (AVX-512 compress).

The first pass of the periodic sweep (``kernels._pair_candidates``) keeps, for two agents at
once, the candidates of a run within the perception radius R: their index and offset, packed
contiguously. A scalar loop does this with a data-dependent store slot, which compilers do
not vectorise. :func:`keep_lanes` does it for ``LANES`` consecutive candidates with LLVM's
``llvm.experimental.vector.compress`` (one ``vcompresspd`` per array on AVX-512): about three
times faster per candidate than the scalar loop on this project's machines.

It is used only where it pays: LLVM 19 or newer (the intrinsic) and Numba compiling for a host
with AVX-512F (elsewhere LLVM expands the intrinsic lane by lane). ``AVAILABLE`` says so. Both
paths keep the same candidates in the same order: inlined into the same fast-math kernel, their
arithmetic gets the same flags, so the squared distance is contracted alike (the tests compare
the two paths compiled that way).

Numba's on-disk cache checks only the caller's source file: after editing this module, touch
``kernels.py`` (or clear its cache) so that its cached machine code is rebuilt.
"""

import llvmlite.binding as llvm
import numba
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

LANES = 8  # candidates per call: one 512-bit vector of float64
COMPILES = llvm.llvm_version_info >= (19,)  # the intrinsic exists (LLVM 19 and newer)


def _compiles_for_avx512() -> bool:
    """Whether Numba compiles for this host with AVX-512F (its CPU settings honoured)."""
    config = numba.config
    if config.CPU_NAME not in (None, "host") or not config.ENABLE_AVX:
        return False
    if config.CPU_FEATURES is not None:  # numba compiles for these features instead
        return "+avx512f" in config.CPU_FEATURES.split(",")
    try:
        return bool(llvm.get_host_cpu_features().get("avx512f", False))
    except RuntimeError:  # host features unknown
        return False


AVAILABLE = COMPILES and _compiles_for_avx512()


def _c_array(array, dtype, ndim) -> bool:
    return (
        isinstance(array, types.Array)
        and array.layout == "C"
        and array.dtype == dtype
        and array.ndim == ndim
    )


@intrinsic
def keep_lanes(typingctx, soa, k, end, origins, perception2, indices, offsets, kept):
    """Compaction of candidates ``k .. k + LANES - 1`` (those below ``end``) for two agents.

    Parameters
    ----------
    soa : (6, N) float64, C-contiguous, N >= 3
        Sorted positions (rows 0-2) and headings. Rows 0-2 are read ``LANES`` wide from column
        k, past ``end`` and past N into the next rows (still inside the array): masked off.
    k, end : uint64
        First candidate and end of the run.
    origins : 6-tuple of float
        For agent 0 then agent 1, its position less the run's image shift: the offset of
        candidate j is ``r_j - origin``.
    perception2 : float
        R² (body lengths²): candidates with ``|offset|² < R²`` are kept.
    indices : (2, capacity) uint64, offsets : (2, 3, capacity) float64
        Lane ``a`` of each receives agent a's kept indices and offsets from slot ``kept[a]``;
        ``LANES`` slots are written from there, so capacity must exceed the kept count by
        ``LANES``.
    kept : 2-tuple of uint64
        Candidates kept so far by each agent.

    Returns
    -------
    2-tuple of uint64
        The updated kept counts.
    """
    f64, u64 = types.float64, types.uint64
    if not (
        _c_array(soa, f64, 2)
        and _c_array(indices, u64, 2)
        and _c_array(offsets, f64, 3)
        and k == u64
        and end == u64
        and perception2 == f64
        and origins == types.UniTuple(f64, 6)
        and kept == types.UniTuple(u64, 2)
    ):  # the generated code assumes exactly these types and layouts
        return None
    signature = types.UniTuple(types.uint64, 2)(
        soa, k, end, origins, perception2, indices, offsets, kept
    )

    def codegen(context, builder, signature, args):
        soa_type, _, _, _, _, indices_type, offsets_type, _ = signature.args
        soa_array = context.make_array(soa_type)(context, builder, args[0])
        indices_array = context.make_array(indices_type)(context, builder, args[5])
        offsets_array = context.make_array(offsets_type)(context, builder, args[6])
        first, end = args[1], args[2]
        origins = cgutils.unpack_tuple(builder, args[3], 6)
        kept = cgutils.unpack_tuple(builder, args[7], 2)
        int8, int32, int64 = ir.IntType(8), ir.IntType(32), ir.IntType(64)
        doubles, longs = ir.VectorType(ir.DoubleType(), LANES), ir.VectorType(int64, LANES)
        mask_type = ir.VectorType(ir.IntType(1), LANES)
        broadcast = ir.Constant(ir.VectorType(int32, LANES), [0] * LANES)
        unused_longs = ir.Constant(longs, ir.Undefined)  # lanes past the kept ones: any value
        unused_doubles = ir.Constant(doubles, ir.Undefined)

        def splat(value, vector_type):
            undefined = ir.Constant(vector_type, ir.Undefined)
            single = builder.insert_element(undefined, value, int32(0))
            return builder.shuffle_vector(single, undefined, broadcast)

        def vector_pointer(array_type, array, indices, vector_type):
            indices = [context.get_constant(types.intp, i) if isinstance(i, int) else i
                       for i in indices]  # fmt: skip
            pointer = cgutils.get_item_pointer(
                context, builder, array_type, array, indices, wraparound=False
            )
            return builder.bitcast(pointer, vector_type.as_pointer())

        def declare(name, result, arguments):
            function_type = ir.FunctionType(result, arguments)
            return cgutils.get_or_insert_function(builder.module, function_type, name)

        compress_doubles = declare(
            "llvm.experimental.vector.compress.v8f64", doubles, [doubles, mask_type, doubles]
        )
        compress_longs = declare(
            "llvm.experimental.vector.compress.v8i64", longs, [longs, mask_type, longs]
        )
        population = declare("llvm.ctpop.i8", int8, [int8])

        position = [
            builder.load(vector_pointer(soa_type, soa_array, [axis, first], doubles), align=8)
            for axis in range(3)
        ]
        candidate = builder.add(splat(first, longs), ir.Constant(longs, list(range(LANES))))
        in_run = builder.icmp_unsigned("<", candidate, splat(end, longs))
        limit = splat(args[4], doubles)
        counts = []
        for agent in range(2):
            offset = [
                builder.fsub(position[axis], splat(origins[3 * agent + axis], doubles))
                for axis in range(3)
            ]
            squares = [builder.fmul(offset[axis], offset[axis]) for axis in range(3)]
            distance2 = builder.fadd(builder.fadd(squares[0], squares[1]), squares[2])
            inside = builder.fcmp_ordered("<", distance2, limit)
            keep = builder.select(in_run, inside, ir.Constant(mask_type, [0] * LANES))
            slot = kept[agent]
            builder.store(
                builder.call(compress_longs, [candidate, keep, unused_longs]),
                vector_pointer(indices_type, indices_array, [agent, slot], longs),
                align=8,
            )
            for axis in range(3):
                builder.store(
                    builder.call(compress_doubles, [offset[axis], keep, unused_doubles]),
                    vector_pointer(offsets_type, offsets_array, [agent, axis, slot], doubles),
                    align=8,
                )
            count = builder.call(population, [builder.bitcast(keep, int8)])
            counts.append(builder.add(slot, builder.zext(count, int64)))
        return context.make_tuple(builder, signature.return_type, counts)

    return signature, codegen
