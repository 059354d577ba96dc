"""Parameter protocols: a parameter that follows a schedule in model time within one run.

A scenario's ``protocol:`` maps a parameter to a schedule
(:class:`~sims.core.scenario.ProtocolSpec`)::

    protocol:
      params.orientation_width: {times: [0, 100, 200], values: [1.0, 1.5, 2.0]}

Rules, checked when the scenario is loaded (one-line errors naming the file and the key):

* only the parameters the system declares (:attr:`~sims.core.registry.System.protocol_params`)
  may follow a protocol, and never one that is also swept;
* the schedule starts at t = 0 and sets the parameter over the whole run: the run's ``params``
  hold its value at t = 0, so ``params.<name>``, if set, must equal it;
* every time is a whole number of the system's time steps, before the run's last step (a value set
  there would act on no step);
* every value passes the parameter's own validation (bounds and cross-checks of the ``Params``
  model, with the other parameters as given). Under linear interpolation the values in between
  are convex combinations of two that passed, which satisfies every interval bound.

Which step sees which value: the step that advances the state from step ``k`` to ``k + 1`` uses
the value at ``t_k = k·Δt``. With ``step`` interpolation that is the last value whose time is at
most ``t_k``; with ``linear`` it is ``v_i + (v_{i+1} - v_i)·(k - k_i)/(k_{i+1} - k_i)`` between
the points' steps ``k_i <= k < k_{i+1}``; past the last time the last value holds. The value is a
pure function of the integer step index (no accumulated floating state), so a run resumed from a
checkpoint applies exactly the values of the uninterrupted run. The value at each record's step
is stored as a time series named after the parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from sims.core import registry
from sims.core.scenario import (
    ParamError,
    ScenarioError,
    ScenarioSpec,
    StrictModel,
    _validate,
    param_metadata,
    whole_multiple,
)

RECORD_DIMENSION = "time"  # the dimension of a run's records (DESIGN: named dimensions)


@dataclass(frozen=True)
class ParameterProtocol:
    """A parameter's schedule in steps: the value applied at every step of a run.

    Attributes
    ----------
    name : str
        The parameter (a field of the system's ``Params``).
    steps : (K,) int64 array
        Steps of the schedule's points, strictly increasing, the first 0.
    values : (K,) float64 array
        The parameter's value at those steps (its own units).
    linear : bool
        Linear interpolation between the points (else each value holds until the next).
    """

    name: str
    steps: np.ndarray
    values: np.ndarray
    linear: bool

    def value_at(self, step: int) -> float:
        """The value applied by the step from ``step`` to ``step + 1`` (its own units)."""
        index = int(np.searchsorted(self.steps, step, side="right")) - 1
        value = float(self.values[index])
        if self.linear and index + 1 < len(self.steps):
            start, end = int(self.steps[index]), int(self.steps[index + 1])
            following = float(self.values[index + 1])
            value += (following - value) * ((step - start) / (end - start))
        return value

    def next_change(self, step: int) -> int | None:
        """The first step after ``step`` whose value may differ, or None if none does."""
        if self.linear and step < self.steps[-1]:
            return step + 1
        later = self.steps[self.steps > step]
        return int(later[0]) if len(later) else None


def values_at(protocols: tuple[ParameterProtocol, ...], step: int) -> dict[str, float]:
    """Every protocol's value at ``step``, by parameter name."""
    return {protocol.name: protocol.value_at(step) for protocol in protocols}


def steps_to_next_change(protocols: tuple[ParameterProtocol, ...], step: int) -> int | None:
    """Steps from ``step`` to the nearest step where some protocol's value may change."""
    changes = [protocol.next_change(step) for protocol in protocols]
    changes = [change for change in changes if change is not None]
    return min(changes) - step if changes else None


def record_series(
    dataset: xr.Dataset,
    protocols: tuple[ParameterProtocol, ...],
    record_steps: np.ndarray,
    params_model: type[StrictModel],
) -> xr.Dataset:
    """Add each protocol's value at the record steps as a variable on the records' dimension."""
    for protocol in protocols:
        metadata = param_metadata(params_model, f"params.{protocol.name}")
        attrs = {
            "units": metadata["units"],
            "long_name": f"{metadata['long_name']} (protocol: value applied from this step on)",
            "interpolation": "linear" if protocol.linear else "step",
        }
        series = [protocol.value_at(int(step)) for step in record_steps]
        dataset[protocol.name] = xr.DataArray(
            np.array(series, dtype=float), dims=RECORD_DIMENSION, attrs=attrs
        )
    return dataset


def with_initial_values(spec: ScenarioSpec, system: registry.System, source: str) -> ScenarioSpec:
    """Check the protocol's keys; return ``spec`` with each parameter at its value at t = 0.

    Raises
    ------
    ScenarioError
        For a key that is not ``params.<name>``, a parameter the system does not let follow a
        protocol, one that is also swept, or one set in ``params`` to another value than the
        protocol's at t = 0.
    """
    initial = {}
    for key, schedule in spec.protocol.items():
        where = f"protocol.{key}"
        name = key.removeprefix("params.")
        if not key.startswith("params.") or "." in name or not name:
            raise ScenarioError(source, where, "protocol keys must be params.<name>", key)
        allowed = system.protocol_params
        if name not in allowed:
            known = ", ".join(f"params.{p}" for p in allowed) if allowed else "none"
            raise ScenarioError(
                source, where, f"system {system.name} allows no protocol here (allowed: {known})"
            )
        if key in spec.sweep:
            raise ScenarioError(
                source, where, f"sweep.{key} sweeps the same parameter; use one or the other"
            )
        if name in spec.params and spec.params[name] != schedule.values[0]:
            raise ScenarioError(
                source,
                f"params.{name}",
                f"differs from {where}.values[0] = {schedule.values[0]:g}, the run's value "
                "at t = 0; remove it or make them equal",
                spec.params[name],
            )
        initial[name] = schedule.values[0]
    if not initial:
        return spec
    params = spec.params | initial
    try:
        _validate(system.model.Params, params, source, prefix="params.")
    except ScenarioError as error:  # a bad value at t = 0 is the protocol's: name its key
        name = error.key.removeprefix("params.")
        if name in initial:
            where = f"protocol.params.{name}.values[0]"
            raise ScenarioError(source, where, f"{error.key}: {error.problem}", error.got) from None
        raise
    return spec.model_copy(update={"params": params})


def resolve_protocols(
    spec: ScenarioSpec, system: registry.System, params: StrictModel, source: str
) -> tuple[ParameterProtocol, ...]:
    """The scenario's protocols in steps of a run with ``params``, every value validated.

    Raises
    ------
    ScenarioError
        For a time that is not a whole number of steps or does not lie before the run's end, a
        value that the parameter's own validation refuses (key
        ``protocol.params.<name>.values[i]``), or values of several protocols in force together
        that the parameters' joint rules refuse (key ``protocol``).
    """
    if not spec.protocol:
        return ()
    model = system.model
    time_step, last_step = model.protocol_clock(params)
    document = params.model_dump()
    resolved = []
    for key, schedule in spec.protocol.items():
        name = key.removeprefix("params.")
        for index, value in enumerate(schedule.values):
            try:
                _validate(model.Params, document | {name: value}, source, prefix="params.")
            except ScenarioError as error:
                problem = f"{error.key}: {error.problem}"
                raise ScenarioError(
                    source, f"protocol.{key}.values[{index}]", problem, error.got
                ) from None
        try:
            steps = [_whole_steps(time, time_step, last_step) for time in schedule.times]
        except ParamError as error:
            where = f"protocol.{key}.times[{schedule.times.index(error.got)}]"
            raise ScenarioError(source, where, error.problem, error.got) from None
        resolved.append(
            ParameterProtocol(
                name=name,
                steps=np.array(steps, dtype=np.int64),
                values=np.array(schedule.values, dtype=float),
                linear=schedule.interpolation == "linear",
            )
        )
    _check_jointly(tuple(resolved), model.Params, document, time_step, source)
    return tuple(resolved)


def _check_jointly(protocols, params_model, document, time_step, source):
    """Validate the parameters together at every step where some protocol has a point.

    Rules on several parameters (e.g. a periodic box wider than twice the perception radius)
    must hold for the values in force together, not each against the others' values at t = 0.
    Between points every value is a convex combination of its values at the neighbouring
    points, so rules that are intervals of a linear combination hold in between too.
    """
    if len(protocols) < 2:
        return
    for step in np.unique(np.concatenate([protocol.steps for protocol in protocols])):
        values = values_at(protocols, int(step))
        try:
            _validate(params_model, document | values, source, prefix="params.")
        except ScenarioError as error:
            problem = f"at t = {step * time_step:g} the protocols give {error.key}: {error.problem}"
            raise ScenarioError(source, "protocol", problem, error.got) from None


def _whole_steps(time: float, time_step: float, last_step: int) -> int:
    """``time`` in steps of ``time_step``; ParamError unless a whole number up to ``last_step``."""
    steps = whole_multiple(time / time_step)
    if steps is None:
        raise ParamError("times", f"must be a multiple of the time step {time_step:g}", time)
    if steps >= last_step:  # a value set at the last step would act on no step
        raise ParamError(
            "times", f"must lie before the run's end (t = {last_step * time_step:g})", time
        )
    return steps
