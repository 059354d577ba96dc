"""The run loop shared by every simulator: advance in jitted chunks, record, checkpoint.

A simulator is a :class:`Model`. The :class:`Simulation` drives it from its first record to its
last: it advances the model in chunks of steps (jitted kernels do the work inside a chunk, so the
Python loop costs nothing measurable), calls :meth:`Model.observe` at the model's record steps,
writes checkpoints on a wall-clock schedule and finally asks the model for its
:class:`xarray.Dataset`. Chunk boundaries never change results: every model guarantees that
``advance(a); advance(b)`` is bitwise identical to ``advance(a + b)``.
"""

from __future__ import annotations

import abc
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import xarray as xr

from sims.core.scenario import StrictModel

_CHUNK_TARGET_SECONDS = 0.25
_CHECKPOINT_FORMAT = 1


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

    @classmethod
    def summarize(cls, dataset: xr.Dataset) -> str:
        """One line describing a finished run's file (printed by ``entrosim run``)."""
        return ", ".join(f"{dim}: {size}" for dim, size in dataset.sizes.items())

    @classmethod  # noqa: B027 - an optional hook: a no-op for models without kernels
    def warm_up(cls) -> None:
        """Compile (or load from cache) the model's kernels on a tiny instance."""


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
    checkpoint_interval : float, optional
        Wall-clock seconds between checkpoints (s); 0 means after every record.
    fingerprint : str
        Identifies the run (resolved scenario and member); a checkpoint with another is refused.
    progress : callable, optional
        ``progress(step_count, last_step)`` called after each chunk.
    """

    model: Model
    checkpoint_path: Path | None = None
    checkpoint_interval: float | None = None
    fingerprint: str = ""
    progress: Any = None
    timings: RunTimings = field(default_factory=RunTimings)
    records: list[dict[str, Any]] = field(default_factory=list)

    def resume(self) -> bool:
        """Load the checkpoint if there is one for this run; return whether it was loaded."""
        if self.checkpoint_path is None or not self.checkpoint_path.exists():
            return False
        with open(self.checkpoint_path, "rb") as handle:
            saved = pickle.load(handle)
        if saved.get("format") != _CHECKPOINT_FORMAT or saved["fingerprint"] != self.fingerprint:
            raise ValueError(f"{self.checkpoint_path} belongs to another run; remove it")
        if _state_layout(saved["model"]) != _state_layout(self.model.get_state()):
            raise ValueError(
                f"{self.checkpoint_path} was written by another version of this simulator "
                "(its state has other arrays or shapes); remove it"
            )
        self.model.set_state(saved["model"])
        self.model.step_count = saved["step_count"]
        self.records = saved["records"]
        return True

    def run(self) -> xr.Dataset:
        """Run to the last record step and return the model's dataset."""
        started = time.perf_counter()
        model = self.model
        record_steps = np.asarray(model.record_steps(), dtype=np.int64)
        last_checkpoint = time.perf_counter()
        steps_per_second = None
        for target in record_steps[len(self.records) :]:
            while model.step_count < target:
                chunk = int(target - model.step_count)
                if steps_per_second is not None:
                    chunk = min(chunk, max(1, int(steps_per_second * _CHUNK_TARGET_SECONDS)))
                tick = time.perf_counter()
                model.advance(chunk)
                elapsed = time.perf_counter() - tick
                self.timings.advance += elapsed
                if elapsed > 0:
                    steps_per_second = chunk / elapsed
                if self.progress is not None:
                    self.progress(model.step_count, int(record_steps[-1]))
                if model.step_count < target and self._checkpoint_due(last_checkpoint):
                    last_checkpoint = self._write_checkpoint()
            tick = time.perf_counter()
            self.records.append(model.observe())
            self.timings.observe += time.perf_counter() - tick
            if self._checkpoint_due(last_checkpoint):
                last_checkpoint = self._write_checkpoint()
        tick = time.perf_counter()
        dataset = model.to_dataset(self.records)
        self.timings.assemble += time.perf_counter() - tick
        self.timings.total += time.perf_counter() - started
        return dataset

    def _checkpoint_due(self, last_checkpoint: float) -> bool:
        if self.checkpoint_path is None or self.checkpoint_interval is None:
            return False
        return time.perf_counter() - last_checkpoint >= self.checkpoint_interval

    def _write_checkpoint(self) -> float:
        tick = time.perf_counter()
        saved = {
            "format": _CHECKPOINT_FORMAT,
            "fingerprint": self.fingerprint,
            "step_count": self.model.step_count,
            "model": self.model.get_state(),
            "records": self.records,
        }
        partial = self.checkpoint_path.with_name(self.checkpoint_path.name + ".part")
        with open(partial, "wb") as handle:
            pickle.dump(saved, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, self.checkpoint_path)
        done = time.perf_counter()
        self.timings.checkpoint += done - tick
        return done

    def discard_checkpoint(self) -> None:
        """Remove the checkpoint once the run's output is safely written."""
        if self.checkpoint_path is not None:
            self.checkpoint_path.unlink(missing_ok=True)
