"""What the simulation needs of a scenario, prepared once as plain arrays (picklable).

:func:`build_models` turns each scenario of a resilience experiment into a :class:`SimModel`
with the scenario machinery itself: the demand (:mod:`cablesim.demand`, through the
scenario's settings), the network of the scenario (:func:`cablesim.experiment.
network_for_scenario`), exchange assignment (:func:`cablesim.policy.assign_exchange`) and
transit restrictions (:class:`cablesim.policy.TransitRules`). The model keeps, for every
commodity, the candidate exchange hubs of its policy rule, so that re-routing after a fault
can pick the nearest reachable hub as the policy would.

Fault and repair parameters (:class:`LinkFaults`) are computed for every link of the
topology, in service or not, so that all scenarios of an experiment see the same faults in
a given simulated year (common random numbers: scenario differences are not sampling noise).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import box
from shapely.ops import unary_union

from cablesim.experiment import ScenarioSpec, prepare_scenario
from cablesim.geo import geodesic_length_km
from cablesim.network import Network
from cablesim.routing.graph import ArcGraph
from cablesim.simulation.config import (
    DiurnalCurve,
    FaultRates,
    RepairModel,
    SimulationExperiment,
    SimulationSettings,
)

__all__ = ["LinkFaults", "SimModel", "link_faults", "utc_offsets", "build_model",
           "build_models", "BINS_PER_DAY", "BIN_H"]

BINS_PER_DAY = 96
"""Load profiles are piecewise constant on quarter-hour bins of the UTC day."""
BIN_H = 24.0 / BINS_PER_DAY
HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class LinkFaults:
    """Fault and repair parameters of every link of the topology (arrays of length m).

    Attributes
    ----------
    rate_per_h : ndarray
        Faults per hour (Poisson).
    shallow_km, deep_km : ndarray
        Submarine route length inside / outside the shallow areas (0 for other kinds).
    repair_median_h, repair_sigma : ndarray
        Lognormal repair time once the repair can start (ship on site / crew).
    permit_median_h : ndarray
        Median permit delay of the link's region (0 outside regions).
    permit_sigma : float
        Sigma of the lognormal permit delay.
    region : ndarray of int
        Index into ``region_names`` (-1: no region).
    uses_ship : ndarray of bool
        Submarine links (their repairs wait for a ship when the fleet is limited).
    pool : ndarray of int
        Ship pool of each link (index into ``pool_ships``; -1: never queues).
    pool_names, pool_ships : tuple
        Name and fleet size of each ship pool (regions with ships, then "elsewhere").
    """

    rate_per_h: np.ndarray
    shallow_km: np.ndarray
    deep_km: np.ndarray
    repair_median_h: np.ndarray
    repair_sigma: np.ndarray
    permit_median_h: np.ndarray
    permit_sigma: float
    region: np.ndarray
    region_names: tuple[str, ...]
    uses_ship: np.ndarray
    pool: np.ndarray
    pool_names: tuple[str, ...]
    pool_ships: tuple[int, ...]


@dataclass(frozen=True)
class SimModel:
    """One scenario, ready to simulate (arrays only; cheap to pickle).

    Commodities (C) are the policy's split of the demand (as in
    :func:`cablesim.policy.assign_exchange`); each has candidate exchange hubs
    ``cand_via[cand_start[c]:cand_start[c + 1]]`` (-1 for the direct path) with their
    transit-restriction group and hub surcharge. Volumes are busy-hour Gbps; the load at a
    moment is ``volume x profile_factor[profile[c], bin]``.
    """

    scenario: str
    policy: str
    mode: str
    graph: ArcGraph
    weight: np.ndarray
    latency: np.ndarray
    capacity: np.ndarray
    enabled: np.ndarray
    group_masks: np.ndarray
    volume: np.ndarray
    origin: np.ndarray
    destination: np.ndarray
    demand_row: np.ndarray
    pair: np.ndarray
    pair_labels: tuple[tuple[str, str], ...]
    profile: np.ndarray
    profile_factor: np.ndarray
    cand_start: np.ndarray
    cand_via: np.ndarray
    cand_group: np.ndarray
    cand_surcharge: np.ndarray
    faults: LinkFaults
    k_paths: int = 1
    penalty_factor: float = 3.0
    slots: int = 1
    rtt_threshold_ms: float = 150.0
    demand_year: int = 0
    network_year: int = 0

    @property
    def n_commodities(self) -> int:
        """Number of commodities C."""
        return len(self.volume)

    @property
    def capacitated(self) -> bool:
        """Whether the scenario routes with capacity limits."""
        return self.mode == "capacitated"

    def with_enabled(self, enabled: np.ndarray) -> SimModel:
        """The same model on a different set of links in service."""
        masks = self.group_masks & np.asarray(enabled, dtype=bool)[None, :]
        return dataclasses.replace(self, enabled=np.asarray(enabled, dtype=bool),
                                   group_masks=masks)


# ----------------------------------------------------------------------------- faults
def _shallow_share(geometries: Sequence[Any], areas: Sequence[tuple[float, ...]]) -> np.ndarray:
    """Share of each route's geodesic length inside the union of the boxes."""
    share = np.zeros(len(geometries))
    if not areas:
        return share
    shelf = unary_union([box(*a) for a in areas])
    for i, geom in enumerate(geometries):
        if geom is None or geom.is_empty or not geom.intersects(shelf):
            continue
        total = geodesic_length_km(geom)
        if total <= 0:
            continue
        share[i] = min(1.0, geodesic_length_km(geom.intersection(shelf)) / total)
    return share


def link_faults(network: Network, faults: FaultRates, repair: RepairModel) -> LinkFaults:
    """Fault rates and repair parameters for every link of ``network``.

    Rules (documented in docs/simulation.md):

    - submarine: ``submarine`` faults per 1,000 km per year where the depth is unknown;
      when ``shallow_areas`` are given, the route length inside them (the geodesic length
      of the route geometry clipped to the boxes, scaled to ``length_km``) takes
      ``submarine_shallow`` and the rest ``submarine_deep``. A link column
      ``shallow_fraction`` (0-1), where present, overrides the geometry;
    - terrestrial, metro, satellite, transit: their rate times ``length_km``;
    - a link's repair region is the first region whose area its route crosses or which
      lists the country of one of its end nodes; submarine repairs there wait the region's
      permit delay and queue for its ships (``ships`` > 0).
    """
    links = network.links
    m = len(links)
    kind = links["kind"].to_numpy(dtype=object)
    length = links["length_km"].to_numpy(dtype=float)
    geoms = list(links.geometry)
    sub = kind == "submarine"
    share = np.zeros(m)
    if faults.shallow_areas:
        share[sub] = _shallow_share([g for g, s in zip(geoms, sub, strict=True) if s],
                                    faults.shallow_areas)
    known = np.zeros(m, dtype=bool)
    if "shallow_fraction" in links.columns:
        given = pd.to_numeric(links["shallow_fraction"], errors="coerce").to_numpy(dtype=float)
        known = sub & np.isfinite(given)
        share[known] = np.clip(given[known], 0.0, 1.0)
    depth_known = known | (sub & bool(faults.shallow_areas))
    shallow_km = np.where(sub, length * share, 0.0)
    deep_km = np.where(sub, length - shallow_km, 0.0)
    per_1000 = np.zeros(m)
    per_1000[sub & ~depth_known] = faults.submarine * length[sub & ~depth_known]
    per_1000[sub & depth_known] = (faults.submarine_shallow * shallow_km[sub & depth_known]
                                   + faults.submarine_deep * deep_km[sub & depth_known])
    for name in ("terrestrial", "metro", "satellite", "transit"):
        sel = kind == name
        per_1000[sel] = getattr(faults, name) * length[sel]
    rate_per_h = per_1000 / 1000.0 / HOURS_PER_YEAR
    # regions
    node_country = network.nodes["country"].to_dict()
    ends = [(node_country.get(a), node_country.get(b))
            for a, b in zip(links["from_node"], links["to_node"], strict=True)]
    region = np.full(m, -1, dtype=np.int64)
    for r_idx, reg in enumerate(repair.regions):
        hit = np.zeros(m, dtype=bool)
        if reg.area is not None:
            hit |= np.asarray(links.geometry.intersects(box(*reg.area)), dtype=bool)
        if reg.countries:
            wanted = set(reg.countries)
            hit |= np.array([a in wanted or b in wanted for a, b in ends])
        region[(region < 0) & hit] = r_idx
    permit = np.array([repair.regions[r].permit_delay_days * 24.0 if r >= 0 else 0.0
                       for r in region])
    permit = np.where(sub, permit, 0.0)
    repair_median_h = np.where(sub, repair.submarine_median_days, repair.terrestrial_median_days
                               ) * 24.0
    repair_sigma = np.where(sub, repair.submarine_sigma, repair.terrestrial_sigma)
    # ship pools: one per region with ships, plus one for the rest when ships > 0
    pool_names: list[str] = []
    pool_ships: list[int] = []
    pool = np.full(m, -1, dtype=np.int64)
    for r_idx, reg in enumerate(repair.regions):
        if reg.ships > 0:
            pool[sub & (region == r_idx)] = len(pool_names)
            pool_names.append(reg.name)
            pool_ships.append(reg.ships)
    if repair.ships > 0:
        rest = sub & ((region < 0) | np.isin(region, [i for i, r in enumerate(repair.regions)
                                                      if r.ships <= 0]))
        pool[rest] = len(pool_names)
        pool_names.append("elsewhere")
        pool_ships.append(repair.ships)
    return LinkFaults(rate_per_h, shallow_km, deep_km, repair_median_h, repair_sigma, permit,
                      repair.permit_sigma, region, tuple(r.name for r in repair.regions),
                      sub.copy(), pool, tuple(pool_names), tuple(pool_ships))


# ----------------------------------------------------------------------------- load
def utc_offsets(nodes: pd.DataFrame) -> np.ndarray:
    """UTC offset of each node, hours: column ``utc_offset_h`` where given, else
    ``round(lon / 15)`` (the nominal time zone of the longitude), rounded to 15 minutes."""
    derived = np.round(nodes["lon"].to_numpy(dtype=float) / 15.0)
    if "utc_offset_h" in nodes.columns:
        given = pd.to_numeric(nodes["utc_offset_h"], errors="coerce").to_numpy(dtype=float)
        derived = np.where(np.isfinite(given), given, derived)
    return np.round(derived * 4.0) / 4.0


def _profiles(offset_o: np.ndarray, offset_d: np.ndarray, curve: DiurnalCurve
              ) -> tuple[np.ndarray, np.ndarray]:
    """Profile id of each commodity and the factor table (P, 96); profile 0 is flat 1."""
    shape = np.asarray(curve.normalised())
    keys = np.column_stack([offset_o, offset_d])
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    utc = np.arange(BINS_PER_DAY) * BIN_H
    table = [np.ones(BINS_PER_DAY)]
    for oo, od in uniq:
        ho = np.floor(np.mod(utc + oo, 24.0) + 1e-9).astype(int) % 24
        hd = np.floor(np.mod(utc + od, 24.0) + 1e-9).astype(int) % 24
        table.append(0.5 * (shape[ho] + shape[hd]))
    return inverse.ravel().astype(np.int64) + 1, np.vstack(table)


# ----------------------------------------------------------------------------- models
def build_model(network: Network, graph: ArcGraph, spec: ScenarioSpec, demand: pd.DataFrame,
                year: int, settings: SimulationSettings, faults: LinkFaults, source: str, *,
                network_year: int | None = None) -> SimModel:
    """Prepare one scenario (optionally on the network of ``network_year``)."""
    if network_year is not None:
        spec = dataclasses.replace(spec, network_year=network_year)
    prep = prepare_scenario(spec, network, graph, demand, year, source)
    nodes = network.nodes
    enabled, latency, capacity = prep.enabled, prep.latency_ms, prep.capacity_gbps
    weight, surcharge, rules = prep.weight, prep.hub_surcharge, prep.transit_rules
    com = prep.commodities_table
    origin, destination = prep.commodities.origin, prep.commodities.destination
    cand_com: list[int] = []
    cand_via: list[int] = []
    for c, option in enumerate(com["option"]):
        hubs: list[str | None] = [] if option == "direct" else list(str(option).split("|"))
        for h in hubs or [None]:
            cand_com.append(c)
            cand_via.append(graph.node_index[h] if h else -1)
    cand_com_a = np.asarray(cand_com, dtype=np.int64)
    cand_via_a = np.asarray(cand_via, dtype=np.int64)
    cand_start = np.searchsorted(cand_com_a, np.arange(len(com) + 1)).astype(np.int64)
    cand_group = rules.groups(origin[cand_com_a], cand_via_a, destination[cand_com_a])
    cand_surcharge = np.array([surcharge.get(graph.node_ids[v], 0.0) if v >= 0 else 0.0
                               for v in cand_via_a])
    masks = rules.masks()
    # country pairs
    dem = demand.iloc[com["demand"].to_numpy()]
    labels = list(zip(dem["origin_country"].fillna("").astype(str),
                      dem["destination_country"].fillna("").astype(str), strict=True))
    uniq = sorted(set(labels))
    index = {p: i for i, p in enumerate(uniq)}
    pair = np.array([index[p] for p in labels], dtype=np.int64)
    offsets = utc_offsets(nodes)
    profile, factor = _profiles(offsets[origin], offsets[destination], settings.diurnal)
    net_year = spec.network_year if spec.network_year is not None else year
    return SimModel(
        scenario=spec.name, policy=spec.policy.name, mode=spec.routing.mode, graph=graph,
        weight=weight, latency=latency, capacity=capacity, enabled=np.asarray(enabled, bool),
        group_masks=np.asarray(masks, dtype=bool), volume=com["gbps"].to_numpy(dtype=float),
        origin=origin, destination=destination,
        demand_row=com["demand"].to_numpy(dtype=np.int64), pair=pair,
        pair_labels=tuple(uniq), profile=profile, profile_factor=factor,
        cand_start=cand_start, cand_via=cand_via_a, cand_group=np.asarray(cand_group),
        cand_surcharge=cand_surcharge, faults=faults, k_paths=spec.routing.k_paths,
        penalty_factor=spec.routing.penalty_factor,
        slots=settings.capacitated_slots if spec.routing.mode == "capacitated" else 1,
        rtt_threshold_ms=settings.rtt_threshold_ms, demand_year=int(year),
        network_year=int(net_year))


class ModelBuilder:
    """Loads the topology, country table and demands once and builds scenario models."""

    def __init__(self, sim: SimulationExperiment) -> None:
        from cablesim.demand import load_country_indicators
        from cablesim.io.topology import load_topology

        self.sim = sim
        exp = sim.experiment
        self.source = str(sim.path)
        self.network = load_topology(exp.topology)
        self.graph = ArcGraph.from_network(self.network)
        self.countries = (load_country_indicators(exp.countries)
                          if exp.countries is not None else None)
        self.faults = link_faults(self.network, sim.settings.faults, sim.settings.repair)
        self._demand: dict[str, tuple[pd.DataFrame, int]] = {}

    def demand(self, spec: ScenarioSpec) -> tuple[pd.DataFrame, int]:
        """The scenario's demand table and year (cached by demand settings)."""
        key = spec.demand.key
        if key not in self._demand:
            self._demand[key] = (spec.demand.table(self.network, self.countries,
                                                   study=self.sim.experiment.study),
                                 spec.demand.year)
        return self._demand[key]

    def model(self, spec: ScenarioSpec, network_year: int | None = None) -> SimModel:
        """The model of one scenario (on the network of ``network_year`` if given)."""
        demand, year = self.demand(spec)
        return build_model(self.network, self.graph, spec, demand, year, self.sim.settings,
                           self.faults, self.source, network_year=network_year)


def build_models(sim: SimulationExperiment) -> list[SimModel]:
    """Models of the scenarios to simulate, in order."""
    builder = ModelBuilder(sim)
    return [builder.model(spec) for spec in sim.scenario_specs()]


def expected_faults_per_year(model: SimModel) -> float:
    """Expected number of faults a year on the links in service."""
    return float(model.faults.rate_per_h[model.enabled].sum() * HOURS_PER_YEAR)


__all__ += ["ModelBuilder", "expected_faults_per_year", "HOURS_PER_YEAR"]

