"""Multi-year capacity plans per scenario, their cash flows, the business case and its
sensitivity.

Years are planned in sequence (myopic, capacity carried forward): each planning year's
demand is routed and capacity added at least annualised cost given what earlier years built;
built capacity stays, its fixed capex is not paid again, and its cost is sunk for later
decisions. Why not one multi-period LP: each year stays the same column-generation problem
as a single-year plan (the real topology keeps it small and exact), a planner decides with
the demand in view rather than with perfect foresight of 2035, and with annualised capex a
build that pays in year t keeps paying later as demand grows, so the myopic plan differs
from a perfect-foresight one mainly in the timing of fixed-capex builds (it builds when a
link pays for itself in a planning year, not earlier).

Cash flows run over calendar years from the first planning year to the horizon end. Each
planning year's routing costs (lease and transit) stand for every year until the next
planning year (a step function: demand growth between planning years is not counted, which
understates costs and savings alike); capex is paid upfront in the year of the build, O&M
every year after it, and the value left in capacity whose life outlasts the horizon is
credited in the last year (the share of the capex annuity still to run). Present values are
discounted to the first planning year.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from cablesim._errors import Problem, ScenarioError
from cablesim.demand import (
    grow_demand,
    load_country_indicators,
)
from cablesim.experiment import ScenarioSpec, network_for_scenario, prepare_scenario
from cablesim.experiment.tables import capital_recovery_factor
from cablesim.network import Network
from cablesim.planning.model import USD_YEAR_PER_UNIT, Expansion, YearProblem, solve_year
from cablesim.planning.spec import (
    SENSITIVITY_PARAMETERS,
    ExtendSpec,
    Plan,
    PlanningSettings,
    SensitivitySpec,
)
from cablesim.routing.engine import Commodities
from cablesim.routing.graph import ArcGraph
from cablesim.selectors import match_links

__all__ = ["ScenarioPlan", "PlanResult", "run_plan", "plan_scenario", "cash_flows",
           "business_case", "payback_years", "annuity_factor"]

Progress = Callable[[str, float], None]


@dataclass
class ScenarioPlan:
    """The plan of one scenario over the planning years (tidy tables)."""

    scenario: str
    builds: pd.DataFrame
    costs: pd.DataFrame
    capacity: pd.DataFrame
    unmet: pd.DataFrame
    binding: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass
class PlanResult:
    """Everything :func:`run_plan` computes.

    Attributes
    ----------
    builds : DataFrame
        One row per scenario, year and link where capacity is added: Gbps, modules, capex.
    costs : DataFrame
        One row per scenario and year: demand, annual lease, transit, annualised capex,
        O&M and total cost, upfront capex, solver statistics.
    capacity : DataFrame
        Added capacity in place and its load, per scenario, year and extendable link.
    unmet : DataFrame
        Unserved demand per scenario, year and commodity, with the constraints that bind.
    binding : DataFrame
        Capacity constraints with a positive shadow price per scenario and year.
    cashflows : DataFrame
        Per scenario and calendar year: capex, O&M, lease, transit, residual value, total
        and its present value.
    business_case : DataFrame
        The hub against each baseline: present values, NPV, payback.
    sensitivity : DataFrame
        NPV of the hub against each baseline with each sensitivity parameter at its low
        and high value.
    timings : dict of str to float
        Seconds per stage.
    notes : list of str
        Assumptions and warnings to read with the numbers.
    """

    plan: Plan
    builds: pd.DataFrame
    costs: pd.DataFrame
    capacity: pd.DataFrame
    unmet: pd.DataFrame
    binding: pd.DataFrame
    cashflows: pd.DataFrame
    business_case: pd.DataFrame
    sensitivity: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def annuity_factor(rate: float, years: float) -> float:
    """Present value of 1 a year for ``years`` years at ``rate`` (end of year)."""
    if years <= 0:
        return 0.0
    if rate == 0:
        return float(years)
    return (1.0 - (1.0 + rate) ** -years) / rate


# ---------------------------------------------------------------------------- context
@dataclass
class _Context:
    plan: Plan
    network: Network
    graph: ArcGraph
    countries: pd.DataFrame | None
    country: dict[str, str | None]
    demand_cache: dict[Any, pd.DataFrame] = field(default_factory=dict)
    plan_cache: dict[tuple[Any, ...], ScenarioPlan] = field(default_factory=dict)
    path_pool: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict)
    rule_cache: dict[str, np.ndarray] = field(default_factory=dict)
    gravity_cache: dict[tuple[str, str], tuple[pd.DataFrame, float]] = field(
        default_factory=dict)
    network_cache: dict[tuple[str, int], tuple[pd.DataFrame, np.ndarray]] = field(
        default_factory=dict)

    def network_for(self, spec: ScenarioSpec, year: int) -> tuple[pd.DataFrame, np.ndarray]:
        """The scenario's links and in-service mask in ``year`` (cached)."""
        key = (spec.name, year)
        if key not in self.network_cache:
            self.network_cache[key] = network_for_scenario(self.network, spec, year,
                                                           self.source)
        return self.network_cache[key]

    @property
    def source(self) -> str:
        return str(self.plan.experiment.path)

    def spec(self, name: str) -> ScenarioSpec:
        """The experiment scenario ``name`` (a variant: a renamed copy of its scenario)."""
        base, text = self.plan.variants.get(name, (name, ""))
        for spec in self.plan.experiment.scenarios:
            if spec.name == base:
                return spec if base == name else replace(
                    spec, name=name, description=text or spec.description)
        raise ScenarioError("unknown scenario", [Problem(
            str(self.plan.path), None, "planning.scenarios", f"no scenario named {name!r}")])


def _context(plan: Plan) -> _Context:
    network = plan.network
    countries = (load_country_indicators(plan.experiment.countries)
                 if plan.experiment.countries is not None else None)
    country = {k: (v if isinstance(v, str) else None)
               for k, v in network.nodes["country"].items()}
    return _Context(plan, network, ArcGraph.from_network(network), countries, country)


def _demand(ctx: _Context, spec: ScenarioSpec, year: int, cagr: float | None) -> pd.DataFrame:
    demand_spec = spec.demand.at(year, cagr=cagr)
    key = demand_spec.key
    if key in ctx.demand_cache:
        return ctx.demand_cache[key]
    if demand_spec.model == "csv":
        base_key = ("csv", str(demand_spec.path))
        if base_key not in ctx.demand_cache:
            ctx.demand_cache[base_key] = dataclasses.replace(
                demand_spec, year=demand_spec.base_year).table(
                    ctx.network, None, study=ctx.plan.experiment.study)
        base = ctx.demand_cache[base_key]
        demand = (grow_demand(base, demand_spec.base_year, year, demand_spec.cagr)
                  if year != demand_spec.base_year else base)
    elif demand_spec.gravity is not None and demand_spec.gravity.totals == "countries":
        # fitted to each country's bandwidth of the year: the shape changes with the year
        demand = demand_spec.table(ctx.network, ctx.countries, study=ctx.plan.experiment.study)
    else:
        # The gravity model spreads a calibrated total over the same pairs in fixed shares
        # (cablesim.demand), so one table per parameter set serves every year and growth
        # rate, scaled by the ratio of totals (tests/test_planning.py checks this).
        assert demand_spec.gravity is not None
        params = demand_spec.gravity
        base_key = ("gravity", repr(dataclasses.replace(params, year=None,
                                                        cagr=spec.demand.cagr)))
        if base_key not in ctx.gravity_cache:
            ctx.gravity_cache[base_key] = (demand_spec.table(ctx.network, ctx.countries,
                                                             study=ctx.plan.experiment.study),
                                           params.total_gbps)
        table, total = ctx.gravity_cache[base_key]
        demand = table.copy()
        demand["gbps"] = demand["gbps"] * (params.total_gbps / total)
    ctx.demand_cache[key] = demand
    return demand


def demand_cagr(plan: Plan, scenario: str) -> float:
    """Demand growth a year of a scenario (the ``[planning] cagr`` override, else its
    demand model's)."""
    if plan.settings.cagr is not None:
        return plan.settings.cagr
    base = plan.variants.get(scenario, (scenario, ""))[0]
    spec = next(s for s in plan.experiment.scenarios if s.name == base)
    return spec.demand.cagr


def _rules(ctx: _Context, scenario: str) -> np.ndarray:
    """Index of the [[extend]] table that governs each link in ``scenario`` (-1: none);
    later tables override earlier ones."""
    if scenario in ctx.rule_cache:
        return ctx.rule_cache[scenario]
    links = ctx.network.links
    rule = np.full(len(links), -1, dtype=np.int64)
    for i, ext in enumerate(ctx.plan.extends):
        if ext.scenarios is not None and scenario not in ext.scenarios:
            continue
        hit = np.zeros(len(links), dtype=bool)
        for sel in ext.selectors:
            hit |= match_links(links, sel)
        rule[hit] = i
    ctx.rule_cache[scenario] = rule
    return rule


def _transit_prices(ctx: _Context, settings: PlanningSettings) -> pd.Series:
    prices = ctx.network.nodes["transit_price_usd_per_mbps_month"].astype(float).copy()
    for node, value in settings.transit_prices.items():
        prices[node] = value
    return prices


def _decision_key(ctx: _Context, scenario: str, settings: PlanningSettings) -> tuple[Any, ...]:
    """Settings that can change the plan of ``scenario`` (capex settings only matter when
    the scenario may add capacity at a cost)."""
    rule = _rules(ctx, scenario)
    costly = any(not ctx.plan.extends[i].is_market for i in set(rule[rule >= 0].tolist()))
    values = {k: getattr(settings, k) for k in settings.__dataclass_fields__}
    hubs = ctx.spec(scenario).policy.hubs()
    values["transit_prices"] = tuple(sorted((h, v) for h, v in settings.transit_prices.items()
                                            if h in hubs))
    prices = _transit_prices(ctx, settings)
    if not any(h in prices.index and pd.notna(prices[h]) and prices[h] > 0 for h in hubs):
        for k in ("transit_price_scale", "transit_price_trend", "transit_price_year"):
            values[k] = None
    if not costly:
        for k in ("discount_rate", "lifetime_years", "om_share", "capex_scale"):
            values[k] = None
    return (scenario, tuple(sorted(values.items())))


def _pool_paths(ctx: _Context, key: tuple[Any, ...], com: Commodities
                ) -> tuple[np.ndarray, np.ndarray] | None:
    """Paths generated for the same scenario, year and network in an earlier run, matched
    to this run's commodities by (origin, hub, destination)."""
    if key not in ctx.path_pool:
        return None
    arcs, ends = ctx.path_pool[key]
    n = ctx.graph.n_nodes + 1
    code = lambda o, v, d: (o * n + (v + 1)) * n + d  # noqa: E731 - one key per triple
    mine = code(com.origin, com.via, com.destination)
    order = np.argsort(mine, kind="stable")
    theirs = code(ends[:, 0], ends[:, 1], ends[:, 2])
    pos = np.searchsorted(mine[order], theirs)
    pos = np.minimum(pos, len(order) - 1)
    keep = mine[order][pos] == theirs if len(order) else np.zeros(len(theirs), dtype=bool)
    return arcs[keep], order[pos[keep]]


def _store_paths(ctx: _Context, key: tuple[Any, ...], com: Commodities, arcs: np.ndarray,
                 owner: np.ndarray) -> None:
    if key in ctx.path_pool:
        return
    ends = np.column_stack([com.origin[owner], com.via[owner], com.destination[owner]])
    ctx.path_pool[key] = (arcs, ends)


# ---------------------------------------------------------------------------- one scenario
def plan_scenario(ctx: _Context, scenario: str, settings: PlanningSettings,
                  progress: Progress | None = None) -> ScenarioPlan:
    """Plan one scenario over the planning years (see the module docstring)."""
    key = _decision_key(ctx, scenario, settings)
    if key in ctx.plan_cache:
        return ctx.plan_cache[key]
    spec = ctx.spec(scenario)
    network, graph = ctx.network, ctx.graph
    base_links = network.links
    m = graph.n_edges
    rule = _rules(ctx, scenario)
    extends = ctx.plan.extends
    explicit = np.array([r >= 0 and not extends[r].is_market for r in rule], dtype=bool)
    market = np.array([r >= 0 and extends[r].is_market for r in rule], dtype=bool)
    carried = np.zeros(m)
    built = np.zeros(m, dtype=bool)
    history: list[dict[str, Any]] = []  # every build: capex, year, lifetime, om share
    notes: list[str] = []
    tables: dict[str, list[dict[str, Any]]] = {k: [] for k in
                                               ("builds", "costs", "capacity", "unmet",
                                                "binding")}
    transit_base = _transit_prices(ctx, settings)
    status = base_links["status"].to_numpy(dtype=object)
    no_capex = [str(base_links.index[e]) for e in np.flatnonzero(explicit)
                if extends[rule[e]].fixed_capex_from_links
                and pd.isna(base_links["capex_usd"].iloc[e])]
    if no_capex:
        notes.append(f"{scenario}: links without capex_usd add no fixed capex: "
                     + ", ".join(no_capex))
    previous: tuple[Any, ...] | None = None
    for year in settings.years:
        t0 = time.perf_counter()
        links, enabled = ctx.network_for(spec, year)
        demand = _demand(ctx, spec, year, settings.cagr)
        transit = transit_base * settings.transit_factor(year)
        hubs = spec.policy.hubs()
        for hub in hubs:
            if hub in transit.index and pd.isna(transit[hub]):
                notes.append(f"{scenario}: hub {hub} has no transit price; exchange there "
                             "is counted at 0 (set [planning.transit_prices])")
        prep = prepare_scenario(spec, network, graph, demand, year, ctx.source,
                                objective="cost", lease_factor=settings.lease_factor(year),
                                transit_prices=transit, links=(links, enabled))
        price, latency = prep.price_usd_per_mbps_month, prep.latency_ms
        rules, commodities, com = prep.transit_rules, prep.commodities_table, prep.commodities
        volume = com.volume
        hub_price = prep.hub_price_usd_per_mbps_month
        capacity = links["capacity_gbps"].to_numpy(dtype=float) * spec.routing.capacity_scale
        lease_capacity = np.where(enabled, capacity, 0.0)
        lease_capacity[market & enabled] = np.inf
        lease_capacity[(status == "proposed") & ~market] = 0.0  # exists only once built
        unplanned = enabled & (status == "proposed") & ~explicit & ~market
        if unplanned.any():
            notes.append(f"{scenario}: proposed links in service that no [[extend]] table "
                         "makes extendable carry no traffic (a proposed link exists only "
                         "once built): " + ", ".join(map(str, links.index[unplanned])))
        exp_edges = np.flatnonzero(explicit & enabled)
        expansions = []
        for e in exp_edges:
            ext = extends[rule[e]]
            expansions.append(_expansion(ext, int(e), links, settings, price[e], carried[e],
                                         bool(built[e]), ext.forced(scenario)))
        pool_key = (scenario, year, tuple(exp_edges.tolist()))
        warm = _pool_paths(ctx, pool_key, com)
        if warm is None and previous is not None and previous[2] == pool_key[2]:
            warm = _pool_paths(ctx, previous, com)  # last year's paths, where still valid
        previous = pool_key
        problem = YearProblem(
            graph, com, rules.masks(), price, lease_capacity, hub_price, tuple(expansions),
            latency, settings.unmet_penalty_usd_per_mbps_month, settings.integer_builds,
            settings.integer_modules, settings.optimality_gap, settings.max_iterations,
            settings.mip_rel_gap, initial_paths=warm)
        sol = solve_year(problem)
        _store_paths(ctx, pool_key, com, sol.path_arcs, sol.path_commodity)
        # ---- builds of this year
        for k, e in enumerate(exp_edges):
            ext = extends[rule[e]]
            x = expansions[k]
            added = float(sol.added_gbps[k])
            fixed = x.fixed_capex_usd * float(sol.build_fraction[k])
            if added <= 0 and fixed <= 0:
                continue
            variable = added * x.capex_usd_per_gbps
            lifetime = ext.lifetime_years or settings.lifetime_years
            om = settings.om_share if ext.om_share is None else ext.om_share
            crf = capital_recovery_factor(settings.discount_rate, lifetime)
            capex = variable + fixed
            history.append({"year": year, "capex": capex, "lifetime": lifetime, "om": om,
                            "crf": crf})
            tables["builds"].append({
                "scenario": scenario, "year": year, "link": str(links.index[e]),
                "system": str(links["system"].iloc[e]), "kind": str(links["kind"].iloc[e]),
                "from_node": str(links["from_node"].iloc[e]),
                "to_node": str(links["to_node"].iloc[e]),
                "length_km": float(links["length_km"].iloc[e]), "ownership": ext.ownership,
                "added_gbps": added,
                "modules": added / x.module_gbps if x.module_gbps > 0 else math.nan,
                "capacity_after_gbps": float(carried[e] + added),
                "fixed_capex_usd": fixed, "variable_capex_usd": variable,
                "capex_usd": capex, "annualised_capex_usd_year": capex * crf,
                "om_usd_year": capex * om, "lifetime_years": lifetime,
                "rule": ext.where,
            })
        for k, e in enumerate(exp_edges):
            carried[e] += sol.added_gbps[k]
            built[e] |= bool(sol.built_now[k]) or sol.added_gbps[k] > 0
        # ---- capacity in place on extendable links
        big_k = len(exp_edges)
        for k, e in enumerate(exp_edges):
            if carried[e] <= 0:
                continue
            load = max(sol.added_load[k], sol.added_load[big_k + k])
            tables["capacity"].append({
                "scenario": scenario, "year": year, "link": str(links.index[e]),
                "system": str(links["system"].iloc[e]), "added_capacity_gbps": float(carried[e]),
                "load_forward_gbps": float(sol.added_load[k]),
                "load_reverse_gbps": float(sol.added_load[big_k + k]),
                "utilization": float(load / carried[e]),
                "leased_load_gbps": float(max(sol.lease_load[e], sol.lease_load[m + e])),
            })
        # ---- unmet demand and binding constraints
        for d in np.flatnonzero(sol.unserved > 1e-6):
            row = commodities.iloc[d]
            tables["unmet"].append({
                "scenario": scenario, "year": year, "origin": row["origin"],
                "via": row["via"], "destination": row["destination"],
                "traffic_class": row["traffic_class"], "offered_gbps": float(volume[d]),
                "unserved_gbps": float(sol.unserved[d]), "binding": sol.unmet_limits[d],
            })
        for b in sol.binding.itertuples(index=False):
            edge = int(b.edge)
            a, z = str(links["from_node"].iloc[edge]), str(links["to_node"].iloc[edge])
            if b.direction == "reverse":
                a, z = z, a
            tables["binding"].append({
                "scenario": scenario, "year": year, "link": str(links.index[edge]),
                "system": str(links["system"].iloc[edge]), "from_node": a, "to_node": z,
                "limit": b.limit, "load_gbps": b.load_gbps, "capacity_gbps": b.capacity_gbps,
                "shadow_price_usd_per_mbps_month": b.shadow_price_usd_per_mbps_month,
            })
        # ---- annual costs of this year
        in_life = [h for h in history if h["year"] <= year < h["year"] + h["lifetime"]]
        annualised = sum(h["capex"] * h["crf"] for h in in_life)
        om_year = sum(h["capex"] * h["om"] for h in in_life)
        offered = float(volume.sum())
        tables["costs"].append({
            "scenario": scenario, "policy": spec.policy.name, "year": year,
            "offered_gbps": offered, "served_gbps": float(sol.served.sum()),
            "unserved_gbps": float(sol.unserved.sum()),
            "lease_usd_year": sol.lease_usd_year, "transit_usd_year": sol.transit_usd_year,
            "annualised_capex_usd_year": annualised, "om_usd_year": om_year,
            "total_usd_year": sol.lease_usd_year + sol.transit_usd_year + annualised + om_year,
            "usd_per_mbps_month": ((sol.lease_usd_year + sol.transit_usd_year + annualised
                                    + om_year) / 12.0 / (1000.0 * float(sol.served.sum())))
            if sol.served.sum() > 0 else math.nan,
            "capex_usd": sol.capex_usd, "added_gbps": float(sol.added_gbps.sum()),
            "unmet_penalty_usd_year": sol.penalty_usd_year,
            "lease_price_factor": settings.lease_factor(year),
            "transit_price_factor": settings.transit_factor(year),
            "objective_usd_year": sol.objective * USD_YEAR_PER_UNIT,
            "lower_bound_usd_year": sol.lower_bound * USD_YEAR_PER_UNIT,
            "gap": sol.gap, "milp": sol.milp, "lp_solves": sol.lp_solves,
            "paths": len(sol.path_flow), "converged": sol.converged,
            "seconds": time.perf_counter() - t0,
        })
        if not sol.converged:
            notes.append(f"{scenario} {year}: column generation stopped after "
                         f"{sol.lp_solves} LP solves; raise [planning] max_iterations")
        if sol.unserved.sum() > 1e-6:
            notes.append(f"{scenario} {year}: {sol.unserved.sum():,.1f} Gbps of demand is "
                         "unserved (unmet.csv lists it with the constraints that bind)")
        if progress:
            progress(f"{scenario} {year}", time.perf_counter() - t0)
    if history:
        first, (_, end) = min(h["year"] for h in history), settings.horizon
        short = min(h["lifetime"] for h in history)
        if end - first + 1 > short:
            notes.append(f"{scenario}: the horizon outlasts a build's {short:g}-year life; "
                         "capacity is assumed to stay in service without reinvestment")
    frames = {k: pd.DataFrame.from_records(v, columns=_COLUMNS[k]) for k, v in tables.items()}
    result = ScenarioPlan(scenario, frames["builds"], frames["costs"], frames["capacity"],
                          frames["unmet"], frames["binding"], notes)
    ctx.plan_cache[key] = result
    return result


_COLUMNS = {
    "builds": ["scenario", "year", "link", "system", "kind", "from_node", "to_node",
               "length_km", "ownership", "added_gbps", "modules", "capacity_after_gbps",
               "fixed_capex_usd", "variable_capex_usd", "capex_usd",
               "annualised_capex_usd_year", "om_usd_year", "lifetime_years", "rule"],
    "costs": ["scenario", "policy", "year", "offered_gbps", "served_gbps", "unserved_gbps",
              "lease_usd_year", "transit_usd_year", "annualised_capex_usd_year", "om_usd_year",
              "total_usd_year", "usd_per_mbps_month", "capex_usd", "added_gbps",
              "unmet_penalty_usd_year", "lease_price_factor", "transit_price_factor",
              "objective_usd_year", "lower_bound_usd_year", "gap", "milp", "lp_solves",
              "paths", "converged", "seconds"],
    "capacity": ["scenario", "year", "link", "system", "added_capacity_gbps",
                 "load_forward_gbps", "load_reverse_gbps", "utilization", "leased_load_gbps"],
    "unmet": ["scenario", "year", "origin", "via", "destination", "traffic_class",
              "offered_gbps", "unserved_gbps", "binding"],
    "binding": ["scenario", "year", "link", "system", "from_node", "to_node", "limit",
                "load_gbps", "capacity_gbps", "shadow_price_usd_per_mbps_month"],
}


def _expansion(ext: ExtendSpec, e: int, links: pd.DataFrame, settings: PlanningSettings,
               lease_price: float, carried: float, built: bool,
               must_build: bool = False) -> Expansion:
    length = float(links["length_km"].iloc[e])
    scale = settings.capex_scale
    per_gbps = (ext.capex_usd_per_gbps + ext.capex_usd_per_gbps_km * length) * scale
    link_capex = links["capex_usd"].iloc[e] if ext.fixed_capex_from_links else 0.0
    fixed = (ext.fixed_capex_usd + ext.capex_usd_per_km * length
             + (float(link_capex) if pd.notna(link_capex) else 0.0)) * scale
    lifetime = ext.lifetime_years or settings.lifetime_years
    om = settings.om_share if ext.om_share is None else ext.om_share
    if ext.max_add_gbps is None:
        limit = math.inf
    elif ext.max_add_gbps == "capacity":
        limit = float(links["capacity_gbps"].iloc[e])
    else:
        limit = float(ext.max_add_gbps)
    return Expansion(
        edge=e, capex_usd_per_gbps=per_gbps, fixed_capex_usd=fixed,
        annual_factor=capital_recovery_factor(settings.discount_rate, lifetime) + om,
        usage_price=lease_price if ext.ownership == "lease" else 0.0,
        carried_gbps=carried, max_add_gbps=max(limit - carried, 0.0),
        min_add_gbps=ext.min_add_gbps, module_gbps=ext.module_gbps, built=built,
        must_build=must_build)


# ---------------------------------------------------------------------------- cash flows
def cash_flows(plan: ScenarioPlan, settings: PlanningSettings) -> pd.DataFrame:
    """Calendar-year cash flows of a scenario plan (see the module docstring).

    Columns: ``scenario, year, plan_year, capex_usd, om_usd, lease_usd, transit_usd,
    residual_usd`` (a credit, subtracted), ``total_usd``, ``discount_factor``, ``pv_usd``.
    """
    start, end = settings.horizon
    rate = settings.discount_rate
    costs = plan.costs.set_index("year")
    builds = plan.builds
    rows = []
    for year in range(start, end + 1):
        plan_year = max(y for y in settings.years if y <= year)
        c = costs.loc[plan_year]
        capex = float(builds.loc[builds["year"] == year, "capex_usd"].sum())
        live = builds[(builds["year"] <= year)
                      & (year < builds["year"] + builds["lifetime_years"])]
        om = float(live["om_usd_year"].sum())
        residual = 0.0
        if year == end:
            for b in builds.itertuples(index=False):
                left = b.lifetime_years - (end + 1 - b.year)
                if left > 0:
                    residual += b.capex_usd * annuity_factor(rate, left) / annuity_factor(
                        rate, b.lifetime_years)
        total = capex + om + float(c["lease_usd_year"]) + float(c["transit_usd_year"]) - residual
        factor = (1.0 + rate) ** -(year - start)
        rows.append({"scenario": plan.scenario, "year": year, "plan_year": plan_year,
                     "capex_usd": capex, "om_usd": om, "lease_usd": float(c["lease_usd_year"]),
                     "transit_usd": float(c["transit_usd_year"]), "residual_usd": residual,
                     "total_usd": total, "discount_factor": factor, "pv_usd": total * factor})
    return pd.DataFrame(rows)


def payback_years(capex: np.ndarray, saving: np.ndarray, factor: np.ndarray,
                  first: int | None) -> float | None:
    """Discounted payback period of an investment.

    Parameters
    ----------
    capex : ndarray
        Extra capex of the investment per year (paid at the start of the year).
    saving : ndarray
        Operating saving per year (earned evenly through the year).
    factor : ndarray
        Discount factor of each year.
    first : int or None
        Index of the first year with capex; None when nothing is invested.

    Returns
    -------
    float or None
        Years from the start of year ``first`` until the cumulative discounted net
        benefit turns non-negative for good; ``None`` when it does not within the horizon;
        ``nan`` without investment.
    """
    if first is None:
        return math.nan
    times, values = [], []
    cum = 0.0
    for i, (c, g, f) in enumerate(zip(capex, saving, factor, strict=True)):
        cum -= c * f
        times.append(float(i))
        values.append(cum)
        cum += g * f
        times.append(float(i + 1))
        values.append(cum)
    negative = [j for j, v in enumerate(values) if v < -1e-6 * max(1.0, abs(v))]
    if not negative:
        return 0.0
    last = negative[-1]
    if last == len(values) - 1:
        return None
    v0, v1 = values[last], values[last + 1]
    t0, t1 = times[last], times[last + 1]
    t = t1 if t1 == t0 else t0 + (t1 - t0) * (-v0) / (v1 - v0)
    return max(0.0, t - first)


def business_case(hub: pd.DataFrame, baseline: pd.DataFrame, hub_name: str,
                  baseline_name: str) -> dict[str, Any]:
    """NPV and payback of the hub scenario against a baseline from their cash flows.

    NPV = PV(baseline costs) - PV(hub costs): positive when the hub costs less over the
    horizon, its capex included. Payback: see :func:`payback_years` (capex at the start of
    its year, operating savings through the year, residual value not counted).
    """
    h = hub.set_index("year")
    b = baseline.set_index("year")
    factor = h["discount_factor"].to_numpy()
    operating = ["om_usd", "lease_usd", "transit_usd"]
    saving = (b[operating].sum(axis=1) - h[operating].sum(axis=1)).to_numpy()
    extra_capex = (h["capex_usd"] - b["capex_usd"]).to_numpy()
    capex_years = np.flatnonzero(h["capex_usd"].to_numpy() > 0)
    first = int(capex_years[0]) if len(capex_years) else None
    payback = payback_years(extra_capex, saving, factor, first)
    return {
        "hub": hub_name, "baseline": baseline_name,
        "pv_cost_hub_usd": float(h["pv_usd"].sum()),
        "pv_cost_baseline_usd": float(b["pv_usd"].sum()),
        "npv_usd": float(b["pv_usd"].sum() - h["pv_usd"].sum()),
        "pv_capex_hub_usd": float((h["capex_usd"] * factor).sum()),
        "pv_capex_baseline_usd": float((b["capex_usd"] * factor).sum()),
        "pv_operating_savings_usd": float((saving * factor).sum()),
        "pv_residual_hub_usd": float((h["residual_usd"] * factor).sum()),
        "pv_residual_baseline_usd": float((b["residual_usd"] * factor).sum()),
        "payback_years": payback if payback is not None else math.inf,
        "first_capex_year": int(h.index[first]) if first is not None else None,
        "horizon_start": int(h.index[0]), "horizon_end": int(h.index[-1]),
    }


# ---------------------------------------------------------------------------- sensitivity
def _with(settings: PlanningSettings, parameter: str, value: float) -> PlanningSettings:
    if parameter.startswith("transit_price:"):
        node = parameter.split(":", 1)[1]
        return replace(settings, transit_prices={**settings.transit_prices, node: value})
    if parameter == "cagr":
        return replace(settings, cagr=value)
    # a PlanningSettings field named in SENSITIVITY_PARAMETERS (checked when the spec was read)
    changes: dict[str, Any] = {parameter: value}
    return replace(settings, **changes)


def base_value(ctx: _Context, settings: PlanningSettings, parameter: str) -> float:
    """The value of a sensitivity parameter in the base case."""
    if parameter.startswith("transit_price:"):
        node = parameter.split(":", 1)[1]
        if node in settings.transit_prices:
            return float(settings.transit_prices[node])
        value = ctx.network.nodes["transit_price_usd_per_mbps_month"].get(node)
        return float(value) if pd.notna(value) else 0.0
    if parameter == "cagr":
        case = ctx.plan.business_case
        return demand_cagr(ctx.plan, case.hub if case else ctx.plan.scenarios[0])
    return float(getattr(settings, parameter))


def _case_rows(ctx: _Context, settings: PlanningSettings,
               progress: Progress | None) -> tuple[list[dict[str, Any]], dict[str, ScenarioPlan]]:
    case = ctx.plan.business_case
    assert case is not None
    plans = {name: plan_scenario(ctx, name, settings, progress)
             for name in (case.hub, *case.baselines)}
    flows = {name: cash_flows(p, settings) for name, p in plans.items()}
    rows = [business_case(flows[case.hub], flows[b], case.hub, b) for b in case.baselines]
    return rows, plans


def _sensitivity(ctx: _Context, settings: PlanningSettings, specs: tuple[SensitivitySpec, ...],
                 progress: Progress | None) -> pd.DataFrame:
    rows = []
    for spec in specs:
        base = base_value(ctx, settings, spec.parameter)
        label = spec.label or SENSITIVITY_PARAMETERS.get(
            spec.parameter, f"transit price at {spec.parameter.split(':', 1)[-1]}")
        for case_name, value in (("low", spec.low), ("high", spec.high)):
            t = time.perf_counter()
            varied = _with(settings, spec.parameter, value)
            case_rows, plans = _case_rows(ctx, varied, None)
            built = "; ".join(f"{name}: {' '.join(sorted(set(p.builds['link'])))}"
                              for name, p in plans.items() if len(p.builds))
            for r in case_rows:
                rows.append({"parameter": spec.parameter, "label": label, "case": case_name,
                             "value": value, "base_value": base, "baseline": r["baseline"],
                             "npv_usd": r["npv_usd"], "payback_years": r["payback_years"],
                             "pv_capex_hub_usd": r["pv_capex_hub_usd"],
                             "builds": built or "none"})
            if progress:
                progress(f"sensitivity {spec.parameter} = {value:g}", time.perf_counter() - t)
    return pd.DataFrame.from_records(rows, columns=[
        "parameter", "label", "case", "value", "base_value", "baseline", "npv_usd",
        "payback_years", "pv_capex_hub_usd", "builds"])


# ---------------------------------------------------------------------------- entry point
def run_plan(plan: Plan, progress: Progress | None = None,
             sensitivity: bool = True) -> PlanResult:
    """Plan every scenario of ``plan`` over its years; value the business case and its
    sensitivity.

    Parameters
    ----------
    plan : Plan
        From :func:`cablesim.planning.load_plan`.
    progress : callable, optional
        Called with (stage name, seconds) after each stage.
    sensitivity : bool
        Run the ``[[sensitivity]]`` cases (each re-plans the hub and baselines).

    Raises
    ------
    CablesimError
        Bad inputs found while running (e.g. a demand table that does not fit the
        topology), each problem located.
    """
    timings: dict[str, float] = {}

    def stage(label: str, seconds: float) -> None:
        timings[label] = seconds
        if progress:
            progress(label, seconds)

    t = time.perf_counter()
    ctx = _context(plan)
    stage("prepare", time.perf_counter() - t)
    plans = {name: plan_scenario(ctx, name, plan.settings, stage) for name in plan.scenarios}
    t = time.perf_counter()
    flows = {name: cash_flows(p, plan.settings) for name, p in plans.items()}
    notes = sorted({n for p in plans.values() for n in p.notes})
    case_table = pd.DataFrame()
    if plan.business_case is not None:
        case = plan.business_case
        case_table = pd.DataFrame([business_case(flows[case.hub], flows[b], case.hub, b)
                                   for b in case.baselines])
        costs = pd.concat([plans[n].costs for n in (case.hub, *case.baselines)])
        unmet = costs.groupby("scenario")["unserved_gbps"].max()
        if (unmet > 1e-6).any() and unmet.max() - unmet.min() > 1e-6:
            notes.append("the compared scenarios leave different amounts of demand unserved, "
                         "so their costs are not like for like (unmet demand has no cash "
                         "cost in the business case)")
    stage("cash flows and business case", time.perf_counter() - t)
    sens = pd.DataFrame(columns=["parameter", "label", "case", "value", "base_value",
                                 "baseline", "npv_usd", "payback_years", "pv_capex_hub_usd",
                                 "builds"])
    if sensitivity and plan.sensitivity and plan.business_case is not None:
        t = time.perf_counter()
        sens = _sensitivity(ctx, plan.settings, plan.sensitivity, progress)
        timings["sensitivity"] = time.perf_counter() - t

    def cat(name: str) -> pd.DataFrame:
        frames = [getattr(plans[n], name) for n in plan.scenarios]
        frames = [f for f in frames if len(f)]
        return (pd.concat(frames, ignore_index=True) if frames
                else pd.DataFrame(columns=_COLUMNS[name]))

    return PlanResult(plan, cat("builds"), cat("costs"), cat("capacity"), cat("unmet"),
                      cat("binding"), pd.concat(flows.values(), ignore_index=True),
                      case_table, sens, timings, notes)
