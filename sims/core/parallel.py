"""MPI, optional: the world communicator (or a serial stand-in), and rank-aware logging.

Without mpi4py, or when not started by ``mpiexec``, everything runs through the same code with one
rank. MPI calls stay here, at the Python level; kernels never see a communicator.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

_LAUNCHER_VARIABLES = (
    "PMI_RANK",
    "PMI_SIZE",
    "PMIX_RANK",
    "OMPI_COMM_WORLD_SIZE",
    "MPI_LOCALNRANKS",
)


class SerialComm:
    """The one-rank stand-in for an MPI communicator (the subset entrosim uses)."""

    rank = 0
    size = 1

    def barrier(self) -> None:
        """Nothing to wait for."""

    def gather(self, value: Any, root: int = 0) -> list[Any]:
        """Return ``[value]``."""
        return [value]

    def bcast(self, value: Any, root: int = 0) -> Any:
        """Return ``value``."""
        return value


class MPIComm:
    """Thin wrapper of ``mpi4py.MPI.COMM_WORLD`` with the same interface as :class:`SerialComm`."""

    def __init__(self, comm: Any):
        self._comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()

    def barrier(self) -> None:
        """Block until every rank arrives."""
        self._comm.Barrier()

    def gather(self, value: Any, root: int = 0) -> list[Any] | None:
        """Collect one picklable value per rank on ``root``."""
        return self._comm.gather(value, root=root)

    def bcast(self, value: Any, root: int = 0) -> Any:
        """Send ``value`` from ``root`` to every rank."""
        return self._comm.bcast(value, root=root)

    def send(self, value: Any, dest: int, tag: int) -> None:
        """Send one picklable value to rank ``dest`` (returns once it is buffered or received)."""
        self._comm.send(value, dest=dest, tag=tag)

    def recv(self, source: int | None = None, tag: int | None = None) -> tuple[Any, int]:
        """Receive a value (any source or tag when omitted); return it and its source rank."""
        from mpi4py import MPI

        status = MPI.Status()
        value = self._comm.recv(
            source=MPI.ANY_SOURCE if source is None else source,
            tag=MPI.ANY_TAG if tag is None else tag,
            status=status,
        )
        return value, status.Get_source()

    def iprobe(self, source: int | None = None, tag: int | None = None) -> bool:
        """Whether a message (from ``source``, with ``tag``) is waiting, without receiving it."""
        from mpi4py import MPI

        return self._comm.iprobe(
            source=MPI.ANY_SOURCE if source is None else source,
            tag=MPI.ANY_TAG if tag is None else tag,
        )


def launched_by_mpiexec() -> bool:
    """Whether this process was started by an MPI launcher (so importing MPI is worthwhile)."""
    return any(variable in os.environ for variable in _LAUNCHER_VARIABLES)


def launcher_rank() -> int:
    """Rank of this process as told by the MPI launcher's environment (0 when not launched)."""
    for variable in ("PMI_RANK", "PMIX_RANK", "OMPI_COMM_WORLD_RANK"):
        if variable in os.environ:
            return int(os.environ[variable])
    return 0


def world() -> SerialComm | MPIComm:
    """The world communicator if running under ``mpiexec`` with mpi4py installed, else serial."""
    if not launched_by_mpiexec():
        return SerialComm()
    try:
        from mpi4py import MPI
    except ImportError:
        logging.getLogger("entrosim").warning("mpi4py is not installed: running serially")
        return SerialComm()
    return MPIComm(MPI.COMM_WORLD)


def configure_logging(rank: int, size: int, quiet: bool = False) -> logging.Logger:
    """The ``entrosim`` logger, stamped with ``rank/size``; ranks above 0 log warnings only."""
    logger = logging.getLogger("entrosim")
    logger.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter(
            f"%(asctime)s entrosim {rank}/{size} %(levelname)s :: %(message)s", datefmt="%H:%M:%S"
        )
    )
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING if quiet or rank > 0 else logging.INFO)
    logger.propagate = False
    return logger
