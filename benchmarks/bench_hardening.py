"""What hardening costs: refusing hostile YAML, lazy sweep validation, verified checkpoints.

Prints, on one core:
1. the time to refuse a YAML alias bomb describing 10^10 values (target: well under 1 s);
2. `entrosim validate` of a 1.6·10⁶-point sweep (target: <= 1 s for 10⁶ points);
3. writing and reading a hard-disc checkpoint (N = 10⁵, 10 records) as a verified .npz with the
   model's state checks, side by side with the pickle it replaced (unsafe: shown for cost only);
4. a memory estimate with its culprit search (arithmetic only).

    python benchmarks/bench_hardening.py [--discs N]
"""

import argparse
import io
import json
import pickle
import tempfile
import time
from pathlib import Path

import numpy as np

from sims.cli import main
from sims.core import fingerprint
from sims.core.checkpoint import read_checkpoint, write_checkpoint
from sims.core.resources import estimate_memory
from sims.core.yaml_loader import DocumentError, parse_yaml
from sims.harddisc.model import HardDiscModel, HardDiscParams


def best_of(function, repeats=5):
    times = []
    for _ in range(repeats):
        tick = time.perf_counter()
        function()
        times.append(time.perf_counter() - tick)
    return min(times)


def alias_bomb() -> float:
    levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 10)}]"
               for i in range(9)]  # fmt: skip
    text = "\n".join(levels)

    def refuse():
        try:
            parse_yaml(text)
        except DocumentError:
            return
        raise AssertionError("the bomb was accepted")

    return best_of(refuse)


def sweep_validation(directory: Path) -> float:
    path = directory / "sweep.yaml"
    path.write_text(json.dumps({
        "system": "coffee", "name": "sweep", "seed": 1, "params": {"grid_size": 20},
        "sweep": {
            "params.n_records": list(range(2, 22)), "params.buckets": list(range(2, 22)),
            "params.adjusted_buckets": list(range(2, 22)),
            "params.grain_size": [1, 3, 5, 7, 9] * 4,
            "params.grain_fraction": [0.1 * i for i in range(1, 11)],
        },
    }))  # fmt: skip
    main(["validate", str(path)])  # imports and caches
    return best_of(lambda: main(["validate", str(path)]))


def checkpoints(directory: Path, discs: int) -> None:
    params = HardDiscParams(n_discs=discs, area_fraction=0.05, duration=10.0, record_interval=1.0)
    model = HardDiscModel(params, np.random.SeedSequence(1))
    model.advance(20)
    records = [model.observe() for _ in range(10)]
    state = model.get_state()
    identity = fingerprint.checkpoint_identity("bench")
    path = directory / "run.ckpt"

    def write():
        buffer = io.BytesIO()
        write_checkpoint(buffer, identity, model.step_count, state, records)
        path.write_bytes(buffer.getvalue())

    def read():
        saved = read_checkpoint(path, identity, 1 << 34)
        model.check_state(saved.state)

    pickled = directory / "run.pickle"

    def pickle_write():
        pickled.write_bytes(pickle.dumps({"model": state, "records": records}, protocol=5))

    def pickle_read():
        pickle.loads(pickled.read_bytes())  # noqa: S301 - the replaced format, timed only

    write()
    pickle_write()
    times = {name: best_of(f) for name, f in (
        ("write", write), ("read + verify + check_state", read),
        ("pickle write", pickle_write), ("pickle read", pickle_read),
    )}  # fmt: skip
    size = path.stat().st_size / 1e6
    print(f"3. hard-disc checkpoint, N = {discs}, 10 records ({size:.1f} MB):")
    for name, seconds in times.items():
        print(f"   {name:28s} {1e3 * seconds:8.1f} ms")
    new = times["write"] + times["read + verify + check_state"]
    old = times["pickle write"] + times["pickle read"]
    print(f"   write + read: {1e3 * new:.1f} ms vs pickle {1e3 * old:.1f} ms ({new / old:.2f}x)")
    check = best_of(lambda: model.check_state(state))
    print(f"   of which check_state (cell lists, heap, overlaps, energy): {1e3 * check:.1f} ms")


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--discs", type=int, default=100_000)
    arguments = parser.parse_args()
    HardDiscModel.warm_up()
    with tempfile.TemporaryDirectory() as directory:
        print(f"1. alias bomb of 10^10 values refused in {1e3 * alias_bomb():.2f} ms (< 1 s)")
        seconds = sweep_validation(Path(directory))
        print(f"2. validate a 1.6e6-point sweep: {seconds:.3f} s (target <= 1 s for 1e6 points)")
        checkpoints(Path(directory), arguments.discs)
    params = HardDiscParams(n_discs=10**9)
    seconds = best_of(lambda: estimate_memory(HardDiscModel, params), repeats=20)
    estimate = estimate_memory(HardDiscModel, params)
    print(f"4. memory estimate of N = 1e9 discs ({estimate.bytes / 1e12:.2f} TB, "
          f"{estimate.parameter}) in {1e6 * seconds:.0f} µs")  # fmt: skip


if __name__ == "__main__":
    main_bench()
