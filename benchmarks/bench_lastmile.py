"""Last-mile entropy speed: 6,112 routes, one 10⁵-customer consolidation point, streaming loader.

No public code accompanies the paper, so the side-by-side baseline is the straightforward
implementation: a Python loop over routes (``np.unique`` of the zone labels, lgamma, haversine
legs) against our grouped, vectorised computation, and ``json.load`` of the whole travel-time file
against the streaming loader.

1. Structural entropy (zone cells), both normalisations, the Shannon dual and bounds, and the
   closed-tour haversine length of 6,112 synthetic routes of ~150 stops (the size of the Amazon
   training set). Target: under 1 s.
2. One consolidation sweep point for one city of 10⁵ customers (α = 0.8, β = 0.5, 1 locker/km² on
   a grid, 3 days merged into 1 with order probability 0.5): the consolidation alone, and the whole
   run (city generation, entropy of its routes, fits, consolidation). Target: under 10 s.
3. Streaming the travel-time file versus ``json.load``.

Run from the repository root::

    python benchmarks/bench_lastmile.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.special import gammaln
from timing import best_of  # benchmarks/timing.py

from sims.lastmile.consolidation import ConsolidationSpec, consolidate, customers_of
from sims.lastmile.distance import haversine_km, route_lengths
from sims.lastmile.loader import iter_routes, load_routes
from sims.lastmile.model import LastMileModel, LastMileParams
from sims.lastmile.structure import event_cells, route_entropy
from sims.lastmile.synthetic import SyntheticCities, generate_cities
from sims.lastmile.writer import write_routes

AMAZON_TRAINING_ROUTES = 6112
ENTROPY_TARGET_S = 1.0
CUSTOMERS = 100_000
STOPS_PER_ROUTE = 150
SWEEP_POINT_TARGET_S = 10.0
SWEEP_POINT = {
    "adoption": 0.8,
    "trip_chaining": 0.5,
    "locker_density": 1.0,
    "days": 3,
    "delivery_days": 1,
    "order_probability": 0.5,
}


def naive_entropy_and_distance(table):
    """The per-route Python loop a first implementation would write (zones, haversine)."""
    route, label = event_cells(table)
    ln_w, eta, length = [], [], []
    for r in range(table.n_routes):
        counts = np.unique(label[route == r], return_counts=True)[1]
        n, m = counts.sum(), len(counts)
        value = gammaln(n + 1) - gammaln(counts + 1).sum()
        q, rest = divmod(n, m)
        maximum = gammaln(n + 1) - rest * gammaln(q + 2) - (m - rest) * gammaln(q + 1)
        ln_w.append(value)
        eta.append(value / maximum if maximum > 0 else 0.0)
        stops = np.arange(table.stop_offsets[r], table.stop_offsets[r + 1])
        tour = stops[np.argsort(table.sequence[stops])]
        closed = np.append(tour, tour[0])
        lat, lng = table.lat[closed], table.lng[closed]
        length.append(haversine_km(lat[:-1], lng[:-1], lat[1:], lng[1:]).sum())
    return np.array(ln_w), np.array(eta), np.array(length)


def entropy_benchmark(n_routes, repeats):
    cities = 5
    spec = SyntheticCities(
        routes_per_city=math.ceil(n_routes / cities), stops_per_route=STOPS_PER_ROUTE
    )
    table = generate_cities(spec, np.random.default_rng(1)).select(np.arange(n_routes))
    print(
        f"1. {table.n_routes} routes, {table.n_stops} stops "
        f"({table.n_stops / table.n_routes:.1f} per route), zone cells"
    )

    def ours():
        return route_entropy(table), route_lengths(table)

    elapsed, (entropy, length) = best_of(ours, repeats)
    naive_time, (naive_ln_w, naive_eta, naive_length) = best_of(
        lambda: naive_entropy_and_distance(table), 1
    )
    assert np.allclose(entropy.ln_w, naive_ln_w, rtol=1e-12)
    assert np.allclose(entropy.eta_boltzmann, naive_eta, rtol=1e-12)
    assert np.allclose(length, naive_length, rtol=1e-12)
    verdict = "OK" if elapsed < ENTROPY_TARGET_S else "SLOWER THAN TARGET"
    print(
        f"   entropy + normalisations + duality + distance: {elapsed:.3f} s "
        f"(target < {ENTROPY_TARGET_S:g} s: {verdict}); per-route loop {naive_time:.2f} s "
        f"-> {naive_time / elapsed:.0f}x"
    )
    for cells, unit in (("zone_time_window", "stop"), ("package", "package")):
        seconds, _ = best_of(lambda c=cells, u=unit: route_entropy(table, c, u), repeats)
        print(f"   {cells} cells ({unit} events): {seconds:.3f} s")
    print(
        f"   mean eta_B {entropy.eta_boltzmann.mean():.4f}, eta_H {entropy.eta_shannon.mean():.4f},"
        f" mean length {length.mean():.1f} km"
    )


def sweep_point_benchmark(customers, repeats):
    routes = math.ceil(customers / STOPS_PER_ROUTE)
    params = LastMileParams(
        synthetic={
            "stations": ["DBO3"],
            "routes_per_city": routes,
            "stops_per_route": STOPS_PER_ROUTE,
        },
        consolidation=SWEEP_POINT,
    )
    tick = time.perf_counter()
    model = LastMileModel(params, np.random.SeedSequence(7))
    dataset = model.to_dataset([model.observe()])
    whole_run = time.perf_counter() - tick
    city = customers_of(model.table)
    spec = ConsolidationSpec(**SWEEP_POINT)
    elapsed, result = best_of(lambda: consolidate(city, spec, np.random.default_rng(3)), repeats)
    verdict = "OK" if whole_run < SWEEP_POINT_TARGET_S else "SLOWER THAN TARGET"
    print(
        f"2. one sweep point, {len(city.zone)} customers in {routes} routes, "
        f"{spec.days} days -> {spec.merged_days}: consolidation {elapsed:.3f} s; "
        f"whole run (generate + entropy + fits + consolidation) {whole_run:.2f} s "
        f"(target < {SWEEP_POINT_TARGET_S:g} s: {verdict})"
    )
    print(
        f"   S_carrier/S_0 = {result.s_carrier / result.s_baseline_daily:.3f}, "
        f"S_sys/S_0 = {result.s_system / result.s_baseline_daily:.3f}, "
        f"{result.n_lockers_active} lockers active; "
        f"run file: carrier reduction {float(dataset.carrier_reduction[0]):.3f}"
    )


def loader_benchmark(n_routes):
    spec = SyntheticCities(
        stations=("DLA9",), routes_per_city=n_routes, stops_per_route=150, travel_times=True
    )
    table = generate_cities(spec, np.random.default_rng(2))
    with tempfile.TemporaryDirectory() as folder:
        paths = write_routes(table, folder)
        size = Path(paths["travel_times"]).stat().st_size / 1e6
        streamed, _ = best_of(lambda: sum(1 for _ in iter_routes(paths["travel_times"])), 1)
        whole, _ = best_of(lambda: len(json.loads(Path(paths["travel_times"]).read_text())), 1)
        loaded, _ = best_of(lambda: load_routes(folder), 1)
    print(
        f"3. travel_times.json of {n_routes} routes ({size:.0f} MB): streamed {streamed:.2f} s "
        f"({size / streamed:.0f} MB/s, one route in memory) vs json.load {whole:.2f} s "
        f"(whole file in memory); full load_routes {loaded:.2f} s"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one repeat")
    arguments = parser.parse_args()
    repeats = 1 if arguments.quick else 3
    entropy_benchmark(600 if arguments.quick else AMAZON_TRAINING_ROUTES, repeats)
    sweep_point_benchmark(10_000 if arguments.quick else CUSTOMERS, repeats)
    loader_benchmark(5 if arguments.quick else 40)


if __name__ == "__main__":
    main()
