"""The run loop shared by every simulator: advance in jitted chunks, record, checkpoint.

A simulator is a :class:`Model`. The :class:`Simulation` drives it from its first record to its
last: it advances the model in chunks of steps (jitted kernels do the work inside a chunk, so the
Python loop costs nothing measurable), calls :meth:`Model.observe` at the model's record steps,
streams the records to disk (:mod:`sims.core.record_log`), writes checkpoints on a wall-clock
schedule and finally asks the model for its :class:`xarray.Dataset`. Chunk boundaries never
change results: every model guarantees that ``advance(a); advance(b)`` is bitwise identical to
``advance(a + b)``.

A checkpoint holds the model's state and how many records (in how many segments) are on disk,
never the records themselves, so its cost does not grow with the run's length; a run may be
stopped between chunks (:attr:`Simulation.stop_requested`), checkpointing where it stands.
"""

from __future__ import annotations

import abc
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from sims.core import protocol, resources
from sims.core.checkpoint import CheckpointError, read_checkpoint, write_checkpoint
from sims.core.files import atomic_output
from sims.core.protocol import ParameterProtocol
from sims.core.record_log import RecordLog
from sims.core.scenario import StrictModel

_CHUNK_TARGET_SECONDS = 0.25
_COUNTS = ((2,), np.dtype(np.int64).str)  # a checkpoint's records on disk, and their segments


class NonFiniteValue(ArithmeticError):
    """A run produced a NaN or infinity (an instability): it stops, and nothing is written."""


class Interrupted(Exception):  # noqa: N818 - a stop that was asked for, not an error
    """A run stopped on request (a time limit or a signal) after checkpointing where it stood."""


def _state_layout(state: Any) -> Any:
    """Names, shapes and dtypes of a model state (nested dicts and lists included).

    This is what a checkpoint must match to be loaded.
    """
    if isinstance(state, dict):
        return {name: _state_layout(value) for name, value in state.items()}
    if isinstance(state, (list, tuple)):
        return [_state_layout(value) for value in state]
    return np.shape(state), np.asarray(state).dtype.str


class Model(abc.ABC):
    """A simulator: parameters, state and jitted dynamics.

    Subclasses set ``Params`` (a :class:`~sims.core.scenario.StrictModel`) and build their
    initial state in ``__init__(params, seed_sequence)`` from that SeedSequence alone.
    """

    Params: ClassVar[type[StrictModel]]
    MAY_BE_UNDEFINED: ClassVar[frozenset[str]] = frozenset()
    """Record keys whose values may be NaN by design (documented in their output variables)."""

    def __init__(self, params: StrictModel, seed_sequence: np.random.SeedSequence):
        self.params = params
        self.seed_sequence = seed_sequence
        self.step_count = 0

    @abc.abstractmethod
    def record_steps(self) -> np.ndarray:
        """Sorted, unique step counts (int64) at which :meth:`observe` is called."""

    @abc.abstractmethod
    def advance(self, n_steps: int) -> None:
        """Advance ``n_steps`` steps and add them to ``step_count``."""

    @abc.abstractmethod
    def observe(self) -> dict[str, Any]:
        """Measure the current state: a mapping of names to scalars or arrays."""

    @abc.abstractmethod
    def to_dataset(self, records: list[dict[str, Any]]) -> xr.Dataset:
        """Assemble the run's dataset (with units and long names) from the observations."""

    @abc.abstractmethod
    def get_state(self) -> dict[str, Any]:
        """Everything needed to continue bitwise identically (arrays, RNG state, counters)."""

    @abc.abstractmethod
    def set_state(self, state: dict[str, Any]) -> None:
        """Restore a state returned by :meth:`get_state`."""

    @abc.abstractmethod
    def check_state(self, state: dict[str, Any]) -> None:
        """Raise ValueError (one short line) unless ``state`` is a state this run can reach.

        Called on a checkpoint's state before :meth:`set_state`, once its arrays are known to
        have this model's names, shapes and dtypes. A checksum stops accidents, not a crafted
        file, so this checks what the kernels rely on (indices in range, values finite) and the
        model's invariants (conserved counts, unit vectors, no overlaps).
        """

    @classmethod
    @abc.abstractmethod
    def memory_estimate(cls, params: StrictModel) -> float:
        """Peak memory of one run with ``params`` (B), by arithmetic on the parameters alone.

        Must never build arrays: it decides whether the run may allocate at all. Counts the
        state, the records kept in memory (at most :data:`~sims.core.record_log.SEGMENT_BYTES`
        of them) and the largest temporaries of a record.
        """

    @classmethod
    @abc.abstractmethod
    def cost_estimate(cls, params: StrictModel) -> float:
        """Expected work of one run with ``params`` (arbitrary units, e.g. steps × agents).

        Comparable across runs of one system only: a batch hands out the costliest runs first.
        Arithmetic on the parameters alone, like :meth:`memory_estimate`.
        """

    def time_at(self, step: int) -> float:
        """Model time of ``step`` (in the model's time unit; steps unless overridden)."""
        return float(step)

    @classmethod
    def protocol_clock(cls, params: StrictModel) -> tuple[float, int]:
        """Model time of one step and the run's last step, for parameter protocols.

        Needed only by systems that declare ``protocol_params`` (:mod:`sims.core.protocol`).
        """
        raise NotImplementedError(f"{cls.__name__} follows no parameter protocol")

    def apply_protocol(self, values: dict[str, float]) -> None:
        """Use these parameter values from the next step on (``protocol_params`` only)."""
        raise NotImplementedError(f"{type(self).__name__} follows no parameter protocol")

    @classmethod
    def summarize(cls, dataset: xr.Dataset) -> str:
        """One line describing a finished run's file (printed by ``entrosim run``)."""
        return ", ".join(f"{dim}: {size}" for dim, size in dataset.sizes.items())

    @classmethod  # noqa: B027 - an optional hook: a no-op for models without kernels
    def warm_up(cls) -> None:
        """Compile (or load from cache) the model's kernels on a tiny instance."""


def records_beside(checkpoint_path: Path) -> Path:
    """The default directory of a run's record segments: ``<checkpoint>.records``."""
    return checkpoint_path.with_name(checkpoint_path.name + ".records")


@dataclass
class RunTimings:
    """Wall-clock seconds spent in each part of one run."""

    advance: float = 0.0
    observe: float = 0.0
    checkpoint: float = 0.0
    assemble: float = 0.0
    total: float = 0.0

    @property
    def framework(self) -> float:
        """Time not spent in the model's own dynamics or measurements."""
        return max(self.total - self.advance - self.observe, 0.0)


@dataclass
class Simulation:
    """Drive a model through its record steps.

    Parameters
    ----------
    model : Model
        A freshly built model.
    checkpoint_path : Path, optional
        Where checkpoints go; none are written when omitted.
    records_path : Path, optional
        Directory the records stream into (:class:`~sims.core.record_log.RecordLog`); by
        default ``<checkpoint_path>.records``, and without a checkpoint path every record
        stays in memory.
    checkpoint_interval : float, optional
        Wall-clock seconds between checkpoints (s); 0 means after every record.
    identity : dict of str
        Who may resume from this run's checkpoints (run fingerprint, entrosim version, CPU
        target); a checkpoint with another identity is refused.
    progress : callable, optional
        ``progress(step_count, last_step)`` called after each chunk.
    stop_requested : callable, optional
        Polled after each chunk; when it returns True the run checkpoints and raises
        :class:`Interrupted`.
    protocols : tuple of ParameterProtocol
        Parameters that follow a schedule (:mod:`sims.core.protocol`): chunks end where a value
        changes, the model gets each new value before the step that uses it, and the values at
        the record steps are added to the dataset.
    """

    model: Model
    checkpoint_path: Path | None = None
    checkpoint_interval: float | None = None
    identity: dict[str, str] = field(default_factory=dict)
    progress: Any = None
    stop_requested: Any = None
    records_path: Path | None = None
    protocols: tuple[ParameterProtocol, ...] = ()
    timings: RunTimings = field(default_factory=RunTimings)
    log: RecordLog = field(init=False)
    _applied: dict[str, float] | None = field(init=False, default=None)

    def __post_init__(self):
        if self.records_path is None and self.checkpoint_path is not None:
            self.records_path = records_beside(self.checkpoint_path)
        self.log = RecordLog(self.records_path, self.identity)

    def resume(self) -> bool:
        """Load this run's checkpoint if there is one; return whether it was loaded.

        Raises
        ------
        CheckpointError
            If a checkpoint is there but unusable (corrupt, foreign, or its state fails the
            model's checks); the model is left untouched.
        """
        path = self.checkpoint_path
        if path is None or not path.is_symlink() and not path.exists():
            return False
        available = resources.available_memory()
        saved = read_checkpoint(path, self.identity, available)
        record_steps = np.asarray(self.model.record_steps(), dtype=np.int64)
        layout = {"model": _state_layout(self.model.get_state()), "records": _COUNTS}
        if _state_layout(saved.state) != layout or saved.records:
            raise CheckpointError(path, "its state has other arrays, shapes or dtypes")
        state, (done, segments) = saved.state["model"], saved.state["records"].tolist()
        if (
            not 0 <= saved.step_count <= record_steps[-1]
            or not 0 <= segments <= done <= len(record_steps)
            or (done < len(record_steps) and record_steps[done] < saved.step_count)
            or (done and record_steps[done - 1] > saved.step_count)
        ):
            raise CheckpointError(path, "its step count and records do not fit this run")
        try:
            self.model.check_state(state)
        except ValueError as error:
            raise CheckpointError(path, f"its state fails the model's checks: {error}") from None

        def check(index: int, record: dict[str, Any]) -> None:
            if index >= done:
                raise ValueError(f"more than the checkpoint's {done} records")
            if record.get("step") != record_steps[index]:
                raise ValueError(f"not at step {record_steps[index]}")
            self._check_finite(record)

        self.log.restore(done, segments, available, check)
        self.model.set_state(state)
        self.model.step_count = saved.step_count
        return True

    def run(self) -> xr.Dataset:
        """Run to the last record step and return the model's dataset.

        Raises
        ------
        NonFiniteValue
            If a record holds a NaN or infinity the model does not allow.
        Interrupted
            If :attr:`stop_requested` said so (after a checkpoint).
        """
        try:
            return self._run()
        except BaseException:
            # segments are worth keeping only with a checkpoint that names them
            if self.checkpoint_path is None or not self.checkpoint_path.exists():
                self.log.discard()
            raise

    def _run(self) -> xr.Dataset:
        started = time.perf_counter()
        model = self.model
        record_steps = np.asarray(model.record_steps(), dtype=np.int64)
        last_checkpoint = time.perf_counter()
        steps_per_second = None
        if not len(self.log):
            self.log.discard()  # segments of an earlier attempt that was not resumed
        for index in range(len(self.log), len(record_steps)):
            target = record_steps[index]
            while model.step_count < target:
                chunk = int(target - model.step_count)
                if steps_per_second is not None:
                    chunk = min(chunk, max(1, int(steps_per_second * _CHUNK_TARGET_SECONDS)))
                if self.protocols:
                    chunk = self._follow_protocols(chunk)
                tick = time.perf_counter()
                model.advance(chunk)
                elapsed = time.perf_counter() - tick
                self.timings.advance += elapsed
                if elapsed > 0:
                    steps_per_second = chunk / elapsed
                if self.progress is not None:
                    self.progress(model.step_count, int(record_steps[-1]))
                if model.step_count < target:
                    if self.stop_requested is not None and self.stop_requested():
                        self._stop()
                    if self._checkpoint_due(last_checkpoint):
                        last_checkpoint = self._write_checkpoint()
            tick = time.perf_counter()
            with np.errstate(over="ignore", invalid="ignore"):  # reported by _check_finite
                record = model.observe()
            self.timings.observe += time.perf_counter() - tick
            self._check_finite(record)
            last = index == len(record_steps) - 1
            self.log.append(record, last)
            if last:  # the run ends here: nothing left to save
                break
            if self.stop_requested is not None and self.stop_requested():
                self._stop()
            if self._checkpoint_due(last_checkpoint):
                last_checkpoint = self._write_checkpoint()
        tick = time.perf_counter()
        dataset = model.to_dataset(self.log.records(resources.available_memory()))
        if self.protocols:
            dataset = protocol.record_series(dataset, self.protocols, record_steps, model.Params)
        self.timings.assemble += time.perf_counter() - tick
        self.timings.total += time.perf_counter() - started
        return dataset

    def _follow_protocols(self, chunk: int) -> int:
        """Give the model the protocols' values at its step; end the chunk where one changes."""
        step = self.model.step_count
        values = protocol.values_at(self.protocols, step)
        if values != self._applied:
            self.model.apply_protocol(values)
            self._applied = values
        to_change = protocol.steps_to_next_change(self.protocols, step)
        return chunk if to_change is None else min(chunk, to_change)

    def _check_finite(self, record: dict[str, Any]) -> None:
        for key, value in record.items():
            if key in self.model.MAY_BE_UNDEFINED:
                continue
            if (
                isinstance(value, float | np.floating | np.ndarray)
                and np.asarray(value).dtype.kind in "fc"
            ):
                if not np.all(np.isfinite(value)):
                    step = record.get("step", self.model.step_count)
                    raise NonFiniteValue(
                        f"non-finite {key} at t = {self.model.time_at(step):g} (step {step}): "
                        "the run is unstable"
                    )

    def _checkpoint_due(self, last_checkpoint: float) -> bool:
        if self.checkpoint_path is None or self.checkpoint_interval is None:
            return False
        return time.perf_counter() - last_checkpoint >= self.checkpoint_interval

    def _write_checkpoint(self) -> float:
        """Close the records' segment, then save the state and how many records are on disk."""
        tick = time.perf_counter()
        self.log.close_segment()
        state = {
            "model": self.model.get_state(),
            "records": np.array([self.log.on_disk, self.log.segments], dtype=np.int64),
        }
        with atomic_output(self.checkpoint_path) as temporary, open(temporary, "xb") as handle:
            write_checkpoint(handle, self.identity, self.model.step_count, state, [])
        done = time.perf_counter()
        self.timings.checkpoint += done - tick
        return done

    def _stop(self) -> None:
        if self.checkpoint_path is not None:
            self._write_checkpoint()
        raise Interrupted(f"stopped at step {self.model.step_count} on request")

    def discard_checkpoint(self) -> None:
        """Remove the checkpoint and the record segments once the output is safely written."""
        if self.checkpoint_path is not None:
            self.checkpoint_path.unlink(missing_ok=True)
        self.log.discard()
