"""Handing runs to MPI ranks as they become free, longest expected first, and stopping on time.

Rank 0 is a dispatcher on point-to-point messages: a free worker sends ``READY`` (with the entry
of the run it just finished, or None), and gets back the index of the next run, or None when
there is none left or the batch is stopping. With one or two ranks rank 0 runs work too, and
answers the others between the chunks of its own runs (:meth:`Dispatcher.serve` is polled from
the run loop). Which rank runs what never changes a result: a run depends only on the scenario,
its sweep point and its member.

A batch stops early, every rank checkpointing its current run, when its time limit passes or a
rank receives SIGTERM or SIGUSR1 (:class:`StopControl`); rank 0 then tells every rank to stop.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

READY, WORK, STOP = 1, 2, 3  # message tags
_POLL_SECONDS = 0.002
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGUSR1)


def parse_duration(text: str) -> float:
    """Seconds in ``text``: ``3h50m``, ``90m``, ``1d2h``, ``45s``, or plain seconds (``3600``).

    Raises
    ------
    ValueError
        If ``text`` is none of these, or not positive.
    """
    text = text.strip().lower()
    try:
        seconds = float(text)
    except ValueError:
        match = _DURATION.match(text)
        if not text or match is None:
            raise ValueError(f"{text!r} is not a duration such as 3h50m, 90m or 3600") from None
        days, hours, minutes, rest = (float(part or 0) for part in match.groups())
        seconds = ((days * 24 + hours) * 60 + minutes) * 60 + rest
    if not 0 < seconds < float("inf"):
        raise ValueError(f"{text!r} is not a positive duration")
    return seconds


class StopControl:
    """Whether this rank should stop: a time limit passed, or a stop signal arrived."""

    def __init__(self, time_limit: float | None = None):
        self.deadline = None if time_limit is None else time.monotonic() + time_limit
        self.signalled: int | None = None

    def __call__(self) -> bool:
        """True once the batch should stop."""
        if self.signalled is not None:
            return True
        return self.deadline is not None and time.monotonic() >= self.deadline

    def reason(self) -> str:
        """Why the batch stopped, for the log."""
        if self.signalled is not None:
            return f"received {signal.Signals(self.signalled).name}"
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return "time limit reached"
        return "another rank was stopped"

    @contextmanager
    def catching_signals(self) -> Iterator[None]:
        """Turn SIGTERM and SIGUSR1 into a stop request for the duration of the block.

        Only the main thread may install signal handlers; elsewhere only the time limit counts.
        """

        def handler(number, frame):
            self.signalled = number

        if threading.current_thread() is not threading.main_thread():
            yield
            return

        previous = {number: signal.signal(number, handler) for number in STOP_SIGNALS}
        try:
            yield
        finally:
            for number, old in previous.items():
                signal.signal(number, old)


class Dispatcher:
    """Rank 0's side: the queue of runs, the workers' requests and their results.

    Parameters
    ----------
    comm : communicator
        :class:`~sims.core.parallel.MPIComm` or :class:`~sims.core.parallel.SerialComm`.
    order : list of int
        Run indices, in the order they are handed out (longest expected first).
    record : callable
        ``record(entry)`` for each finished run's entry, as it arrives.
    stop : StopControl
        Rank 0's own stop condition.
    """

    def __init__(self, comm, order: list[int], record: Callable[[dict], None], stop: StopControl):
        self.comm, self.record, self.stop = comm, record, stop
        self.queue = deque(order)
        self.stopping = False
        self.active = set(range(1, comm.size))  # workers not yet told to finish

    @property
    def works_too(self) -> bool:
        """Whether rank 0 runs work itself (with one or two ranks)."""
        return self.comm.size <= 2

    def take(self) -> int | None:
        """The next run for rank 0 itself, or None."""
        self._check_stop()
        return None if self.stopping or not self.queue else self.queue.popleft()

    def serve(self) -> None:
        """Answer every worker's request that has arrived (without waiting)."""
        self._check_stop()
        while self.active and self.comm.iprobe(tag=READY):
            entry, source = self.comm.recv(tag=READY)
            if entry is not None:
                self.record(entry)
                if entry["status"] == "interrupted":
                    self.halt()
            self._check_stop()
            answer = None if self.stopping or not self.queue else self.queue.popleft()
            self.comm.send(answer, source, tag=WORK)
            if answer is None:
                self.active.discard(source)

    def finish(self) -> None:
        """Serve until every worker has been told there is no more work."""
        while self.active:
            self.serve()
            if self.active:
                time.sleep(_POLL_SECONDS)

    def halt(self) -> None:
        """Hand out nothing more, and tell every working rank to checkpoint and stop."""
        if self.stopping:
            return
        self.stopping = True
        for rank in self.active:
            self.comm.send(None, rank, tag=STOP)

    def _check_stop(self) -> None:
        if not self.stopping and self.stop():
            self.halt()

    @property
    def unstarted(self) -> int:
        """Runs never handed out."""
        return len(self.queue)


def work(comm, run: Callable[[int], dict]) -> None:
    """A worker rank's loop: ask rank 0 for runs and report each one's entry."""
    entry = None
    while True:
        comm.send(entry, 0, tag=READY)
        index, _ = comm.recv(source=0, tag=WORK)
        if index is None:
            break
        entry = run(index)
    if comm.iprobe(source=0, tag=STOP):  # a stop that arrived after the last run
        comm.recv(source=0, tag=STOP)


def stop_requested(comm, stop: StopControl) -> Callable[[], bool]:
    """The stop test of a rank's runs: its own signal or time limit, or rank 0's word."""
    if comm.rank == 0:
        return stop
    told = {"stop": False}

    def requested() -> bool:
        if not told["stop"] and comm.iprobe(source=0, tag=STOP):
            comm.recv(source=0, tag=STOP)
            told["stop"] = True
        return told["stop"] or stop()

    return requested


def longest_first(costs: list[float]) -> list[int]:
    """Indices by decreasing cost; equal costs keep their order (the plan is reproducible)."""
    return sorted(range(len(costs)), key=lambda index: (-costs[index], index))
