"""One planning year: capacity additions and routing chosen together in one LP (HiGHS).

The network is the scenario's, with every extendable link given a parallel *added-capacity
copy* (edge ``m + k`` for the k-th expansion). Traffic on the original edge pays the lease
price and fits within the existing (leasable) capacity; traffic on the copy uses capacity the
plan adds, paid once as capex (annualised) plus O&M, and pays the copy's usage price (0 for
capacity the planner builds and owns; the lease price for capacity bought from the market).
Because the two copies are parallel edges, the path search chooses between leasing and using
built capacity on every hop, and the LP is a plain path-based multi-commodity flow::

    minimise   sum_p c_p x_p + penalty sum_d u_d                  (lease, transit, unmet)
             + sum_k a_k (capex_k + O&M_k) s_k n_k + sum_k f_k z_k  (annualised builds)
    subject to sum_{p of d} x_p + u_d = volume_d                  demand of commodity d
               sum_p count(p, a) x_p <= capacity_a                  leased arc a (per direction)
               sum_p count(p, a) x_p - s_k n_k <= carried_k        added-capacity arc of k
               s_k n_k - U_k z_k <= 0,  s_k n_k - L_k z_k >= 0      build k at all / at least L_k
               x, u, n >= 0,  0 <= z <= 1

``s_k`` is the module size (1 Gbps when none), ``n_k`` the modules added this year (integer on
request: a MILP), ``z_k`` whether the link is built this year (it carries the fixed capex; a
binary by default), ``carried_k`` capacity added in earlier years, ``U_k`` the most that may
still be added. Costs are in USD per Mbps per month per Gbps of flow (1 unit = 12,000 USD a
year), so prices from the topology enter unchanged.

Solution: column generation, as in :mod:`cablesim.routing`: start from each commodity's
least-cost path, solve, price every commodity's shortest path under cost + capacity duals and
add those with negative reduced cost, until none is left (the LP optimum over all paths; a
Lagrangian bound measures the distance otherwise).

Integer decisions (price and branch, then local search): whether to build a link at all is
binary by default. The fixed-charge LP relaxation is weak and the paths a design needs depend
on the design, so the paths of the design that builds nothing new are generated as well;
HiGHS then solves the MILP over the paths either LP used, starting from that design; single
build decisions are flipped (each flip priced once for the paths it needs) while that lowers
the cost; the chosen design is fixed and column generation resumes, so its routing is
optimal over all paths.
Whole modules, on request, are a second MILP with the build decisions fixed. The first
phase's Lagrangian bound is a lower bound over all paths and designs; the gap to it is
reported (it is the integrality gap plus whatever the heuristic integer phase gives away).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from cablesim._errors import Problem, RoutingError
from cablesim.routing.engine import Commodities, route_commodities
from cablesim.routing.graph import ArcGraph
from cablesim.routing.lp import new_solver
from cablesim.routing.paths import PathSet

__all__ = ["USD_YEAR_PER_UNIT", "Expansion", "YearProblem", "YearSolution", "solve_year"]

USD_YEAR_PER_UNIT = 12000.0
"""1 USD per Mbps per month on 1 Gbps of flow is 12,000 USD a year."""

_TOL = 1e-7


@dataclass(frozen=True)
class Expansion:
    """One extendable link in one year's problem.

    Attributes
    ----------
    edge : int
        Edge index of the link in the problem's graph.
    capex_usd_per_gbps : float
        Upfront capex per Gbps added (per direction; both directions are added together).
    fixed_capex_usd : float
        Upfront capex of building the link at all (landing stations, right of way, the
        cable); paid in the year of the first build only.
    annual_factor : float
        Annual cost per USD of capex: the capital recovery factor plus the O&M share.
    usage_price : float
        USD per Mbps per month paid on traffic over added capacity: 0 when the planner
        builds and owns it, the lease price when the capacity is bought from the market.
    carried_gbps : float
        Capacity added in earlier years (per direction).
    max_add_gbps : float
        Most that may still be added (``inf``: no limit).
    min_add_gbps : float
        Least first build (0: none); ignored once the link is built.
    module_gbps : float
        Module size (e.g. 100 Gbps wavelengths); 0 for none (continuous capacity).
    built : bool
        Whether the link was built in an earlier year (its fixed capex is sunk).
    must_build : bool
        Build it this year (its fixed capex is paid) whatever it saves: a committed
        project rather than an option.
    """

    edge: int
    capex_usd_per_gbps: float
    fixed_capex_usd: float = 0.0
    annual_factor: float = 0.1
    usage_price: float = 0.0
    carried_gbps: float = 0.0
    max_add_gbps: float = math.inf
    min_add_gbps: float = 0.0
    module_gbps: float = 0.0
    built: bool = False
    must_build: bool = False


@dataclass(frozen=True)
class YearProblem:
    """Inputs of one planning year.

    Attributes
    ----------
    graph : ArcGraph
        The network's array view (m edges).
    commodities : Commodities
        What to route; ``group`` selects the row of ``masks`` each commodity may use.
    masks : ndarray of bool, shape (G, m) or (m,)
        Edges each commodity group may use (links in service, transit rules).
    lease_price : ndarray, shape (m,)
        USD per Mbps per month on each link (leased capacity).
    lease_capacity : ndarray, shape (m,)
        Leasable capacity per direction, Gbps (``inf``: no limit; 0: none).
    transit_price : ndarray, shape (D,)
        USD per Mbps per month each commodity pays at its exchange hub (0 when direct).
    expansions : tuple of Expansion
        The extendable links.
    latency_ms : ndarray, shape (m,), optional
        One-way latency; ``tie_break`` times it is added to the cost so that among paths
        of equal cost the faster is chosen (not counted in the reported costs).
    unmet_penalty : float
        USD per Mbps per month charged on unserved demand.
    integer_builds : bool
        Build decisions (links with a fixed capex or a minimum build) are binary.
    integer_modules : bool
        Additions are whole modules (a MILP), not the LP relaxation.
    optimality_gap : float
        Column generation stops when the Lagrangian bound proves the LP within this
        relative distance of the optimum over all paths (or when no path improves).
    max_iterations : int
        Most LP solves per column-generation phase.
    mip_rel_gap : float
        Relative gap at which HiGHS stops the MILP.
    tie_break : float
        Weight of latency (ms) added to the cost to break ties.
    initial_paths : (ndarray, ndarray), optional
        Extra starting columns: augmented arc ids per path (padded with -1) and the
        commodity of each, e.g. the paths of a solved problem on the same network (a warm
        start for sensitivity runs; the optimum does not depend on them).
    """

    graph: ArcGraph
    commodities: Commodities
    masks: np.ndarray
    lease_price: np.ndarray
    lease_capacity: np.ndarray
    transit_price: np.ndarray
    expansions: tuple[Expansion, ...] = ()
    latency_ms: np.ndarray | None = None
    unmet_penalty: float = 1000.0
    integer_builds: bool = True
    integer_modules: bool = False
    optimality_gap: float = 1e-4
    max_iterations: int = 100
    mip_rel_gap: float = 1e-4
    tie_break: float = 1e-6
    initial_paths: tuple[np.ndarray, np.ndarray] | None = None


@dataclass
class YearSolution:
    """The plan and routing of one year.

    Attributes
    ----------
    graph : ArcGraph
        The augmented graph: the problem's m edges, then one added-capacity copy per
        expansion (edge ``m + k``); arcs ``e`` and ``e + M`` (M = m + K).
    path_arcs, path_commodity, path_flow : ndarray
        Every generated path (augmented arc ids, padded with -1), its commodity and flow.
    served, unserved : ndarray, shape (D,)
        Gbps per commodity; ``served + unserved`` equals the volume.
    added_gbps : ndarray, shape (K,)
        Capacity added this year per expansion (per direction).
    built_now : ndarray of bool, shape (K,)
        Whether the expansion's fixed capex is paid this year.
    build_fraction : ndarray, shape (K,)
        Share of the fixed capex paid this year: 1 or 0 with integer builds, the LP value
        of the build variable otherwise.
    lease_load : ndarray, shape (2m,)
        Gbps on leased capacity per arc of the problem's graph.
    added_load : ndarray, shape (2K,)
        Gbps on added capacity per direction (forward k, reverse K + k).
    lease_usd_year, transit_usd_year, penalty_usd_year : float
        Annual lease (including usage prices on added capacity), transit and unmet-penalty
        costs of the routing.
    capex_usd : float
        Upfront capex of this year's additions (variable plus fixed).
    objective : float
        LP/MILP objective, USD per Mbps-month x Gbps (annualised capex included).
    lower_bound : float
        Lower bound on the optimum over all paths (LP relaxation, Lagrangian bound).
    lp_solves : int
        LP solves of both column-generation phases.
    converged : bool
        Whether column generation ended with no improving path or within the gap.
    milp : bool
        Whether integer decisions were solved as a MILP.
    arc_price : ndarray, shape (2M,)
        Final capacity duals (USD per Mbps per month) per augmented arc.
    binding : DataFrame
        Capacity rows with a positive shadow price (see :func:`solve_year`).
    unmet_limits : list of str
        Per commodity: why demand is unserved ("" when fully served).
    """

    graph: ArcGraph
    path_arcs: np.ndarray
    path_commodity: np.ndarray
    path_flow: np.ndarray
    served: np.ndarray
    unserved: np.ndarray
    added_gbps: np.ndarray
    built_now: np.ndarray
    build_fraction: np.ndarray
    lease_load: np.ndarray
    added_load: np.ndarray
    lease_usd_year: float
    transit_usd_year: float
    penalty_usd_year: float
    capex_usd: float
    objective: float
    lower_bound: float
    lp_solves: int
    converged: bool
    milp: bool
    arc_price: np.ndarray
    binding: pd.DataFrame
    unmet_limits: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float:
        """Relative distance of the objective from the lower bound."""
        return max(0.0, (self.objective - self.lower_bound) / max(abs(self.objective), 1e-12))


def _augmented(graph: ArcGraph, ext_edge: np.ndarray) -> ArcGraph:
    ids = np.array([f"{graph.edge_ids[e]}+added" for e in ext_edge], dtype=object)
    edge_ids = np.concatenate([np.asarray(graph.edge_ids, dtype=object), ids])
    return ArcGraph(graph.node_ids, edge_ids,
                    np.concatenate([graph.edge_u, graph.edge_u[ext_edge]]).astype(np.int64),
                    np.concatenate([graph.edge_v, graph.edge_v[ext_edge]]).astype(np.int64),
                    graph.node_index, {str(k): i for i, k in enumerate(edge_ids)})


def _path_hash(arcs: np.ndarray) -> tuple[list[int], list[int]]:
    """Two 64-bit polynomial hashes of each path's arc sequence (padding ignored), so that
    a path is added as a column once."""
    if arcs.size == 0:
        return [0] * len(arcs), [0] * len(arcs)
    a = (arcs + 1).astype(np.uint64)  # padding -1 becomes 0 and adds nothing
    with np.errstate(over="ignore"):
        width = arcs.shape[1]
        p1 = np.cumprod(np.full(width, 1_000_003, dtype=np.uint64), dtype=np.uint64)
        p2 = np.cumprod(np.full(width, 998_244_353, dtype=np.uint64), dtype=np.uint64)
        return (a * p1).sum(axis=1, dtype=np.uint64).tolist(), (a * p2).sum(
            axis=1, dtype=np.uint64).tolist()


def _path_cost(arcs: np.ndarray, arc_weight: np.ndarray) -> np.ndarray:
    mask = arcs >= 0
    return np.where(mask, arc_weight[np.where(mask, arcs, 0)], 0.0).sum(axis=1)


class _Model:
    """The live HiGHS model of one year (columns: unmet, modules, builds, then paths)."""

    def __init__(self, p: YearProblem, aug: ArcGraph, lease_edges: np.ndarray) -> None:
        com = p.commodities
        self.volumes = np.asarray(com.volume, dtype=float)
        n_dem = len(self.volumes)
        m, exps = p.graph.n_edges, p.expansions
        k_exp = len(exps)
        big_m = aug.n_edges
        self.n_dem, self.m, self.k_exp, self.big_m = n_dem, m, k_exp, big_m
        total = float(self.volumes.sum())
        # ---- rows: demand, leased arcs, added-capacity arcs, build rows
        n_lease = len(lease_edges)
        self.row_of_arc = np.full(2 * big_m, -1, dtype=np.int64)
        lease_arcs = np.concatenate([lease_edges, lease_edges + big_m])
        self.row_of_arc[lease_arcs] = n_dem + np.arange(2 * n_lease)
        added_arcs = np.concatenate([m + np.arange(k_exp), m + np.arange(k_exp) + big_m])
        self.row_of_arc[added_arcs] = n_dem + 2 * n_lease + np.arange(2 * k_exp)
        self.lease_arcs, self.added_arcs = lease_arcs, added_arcs
        cap = np.asarray(p.lease_capacity, dtype=float)[lease_edges]
        carried = np.array([x.carried_gbps for x in exps], dtype=float)
        row_lower = [self.volumes, np.full(2 * n_lease + 2 * k_exp, -highspy.kHighsInf)]
        row_upper = [self.volumes, cap, cap, carried, carried]
        # ---- module columns
        self.scale = np.array([x.module_gbps if x.module_gbps > 0 else 1.0 for x in exps])
        upper_n = np.empty(k_exp)
        for k, x in enumerate(exps):
            if math.isfinite(x.max_add_gbps):
                upper_n[k] = math.floor(max(x.max_add_gbps, 0.0) / self.scale[k] + 1e-9)
            else:
                upper_n[k] = math.ceil(max(total, x.min_add_gbps) / self.scale[k] - 1e-9)
        self.upper_n = upper_n
        per_module = np.array([x.capex_usd_per_gbps * x.annual_factor for x in exps]) * \
            self.scale / USD_YEAR_PER_UNIT
        # ---- build columns (fixed capex or minimum build, not yet built)
        self.z_of = np.full(k_exp, -1, dtype=np.int64)
        z_exp = [k for k, x in enumerate(exps) if not x.built and (
            x.fixed_capex_usd > 0 or x.min_add_gbps > 0 or x.must_build)]
        self.z_exp = np.array(z_exp, dtype=np.int64)
        self.z_of[self.z_exp] = np.arange(len(z_exp))
        z_cost = np.array([exps[k].fixed_capex_usd * exps[k].annual_factor
                           for k in z_exp]) / USD_YEAR_PER_UNIT
        # build rows: s n - U z <= 0 for every z; s n - L z >= 0 where L > 0
        min_exp = [k for k in z_exp if exps[k].min_add_gbps > 0]
        n_rows_fixed = n_dem + 2 * n_lease + 2 * k_exp
        self.n_rows = n_rows_fixed + len(z_exp) + len(min_exp)
        row_lower += [np.full(len(z_exp), -highspy.kHighsInf), np.zeros(len(min_exp))]
        row_upper += [np.zeros(len(z_exp)), np.full(len(min_exp), highspy.kHighsInf)]
        # ---- assemble the fixed columns (unmet, modules, builds) column-wise
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        rows.append(np.arange(n_dem))
        cols.append(np.arange(n_dem))
        vals.append(np.ones(n_dem))
        k_idx = np.arange(k_exp)
        col_n = n_dem + k_idx
        for r in (n_rows_fixed - 2 * k_exp + k_idx, n_rows_fixed - k_exp + k_idx):
            rows.append(r)
            cols.append(col_n)
            vals.append(-self.scale)
        up_row = n_rows_fixed + np.arange(len(z_exp))
        rows.append(up_row)
        cols.append(n_dem + self.z_exp)
        vals.append(self.scale[self.z_exp] if len(z_exp) else np.zeros(0))
        col_z = n_dem + k_exp + np.arange(len(z_exp))
        rows.append(up_row)
        cols.append(col_z)
        vals.append(-self.upper_n[self.z_exp] * self.scale[self.z_exp] if len(z_exp)
                    else np.zeros(0))
        for j, k in enumerate(min_exp):
            row = n_rows_fixed + len(z_exp) + j
            rows.append(np.array([row, row]))
            cols.append(np.array([n_dem + k, col_z[self.z_of[k]]]))
            vals.append(np.array([self.scale[k], -exps[k].min_add_gbps]))
        self.n_fixed_cols = n_dem + k_exp + len(z_exp)
        matrix = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows),
                                                       np.concatenate(cols))),
                               shape=(self.n_rows, self.n_fixed_cols))
        matrix.sort_indices()
        lp = highspy.HighsLp()
        lp.num_col_ = self.n_fixed_cols
        lp.num_row_ = self.n_rows
        lp.col_cost_ = np.concatenate([np.full(n_dem, float(p.unmet_penalty)), per_module,
                                       z_cost])
        self.z_forced = np.array([exps[k].must_build for k in z_exp], dtype=bool)
        lp.col_lower_ = np.concatenate([np.zeros(n_dem + k_exp),
                                        self.z_forced.astype(float)])
        lp.col_upper_ = np.concatenate([np.full(n_dem, highspy.kHighsInf), upper_n,
                                        np.ones(len(z_exp))])
        lp.row_lower_ = np.concatenate(row_lower)
        lp.row_upper_ = np.concatenate(row_upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data.astype(float)
        self.solver = new_solver()
        self.solver.passModel(lp)
        self.path_arcs = np.zeros((0, 0), dtype=np.int64)
        self.path_commodity = np.zeros(0, dtype=np.int64)
        self.path_cost = np.zeros(0)
        self.seen: set[tuple[int, int, int]] = set()

    # ------------------------------------------------------------------ columns
    def add_paths(self, arcs: np.ndarray, commodity: np.ndarray, cost: np.ndarray) -> int:
        """Add path columns not seen before; return how many were added."""
        arcs = np.asarray(arcs, dtype=np.int64)
        commodity = np.asarray(commodity, dtype=np.int64)
        keep = []
        for i, key in enumerate(zip(commodity.tolist(), *_path_hash(arcs), strict=True)):
            if key not in self.seen:
                self.seen.add(key)
                keep.append(i)
        if not keep:
            return 0
        sel = np.array(keep)
        arcs, commodity, cost = arcs[sel], np.asarray(commodity)[sel], np.asarray(cost)[sel]
        n_new = len(sel)
        mask = arcs >= 0
        p_idx = np.broadcast_to(np.arange(n_new)[:, None], arcs.shape)[mask]
        rows_cap = self.row_of_arc[arcs[mask]]
        on = rows_cap >= 0
        rows = np.concatenate([commodity, rows_cap[on]])
        cols = np.concatenate([np.arange(n_new), p_idx[on]])
        matrix = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(self.n_rows, n_new))
        matrix.sort_indices()
        self.solver.addCols(n_new, cost.astype(float), np.zeros(n_new),
                            np.full(n_new, highspy.kHighsInf), int(matrix.nnz),
                            matrix.indptr.astype(np.int32), matrix.indices.astype(np.int32),
                            matrix.data.astype(float))
        width = max(self.path_arcs.shape[1], arcs.shape[1])
        old = np.full((len(self.path_commodity), width), -1, dtype=np.int64)
        old[:, : self.path_arcs.shape[1]] = self.path_arcs
        new = np.full((n_new, width), -1, dtype=np.int64)
        new[:, : arcs.shape[1]] = arcs
        self.path_arcs = np.vstack([old, new])
        self.path_commodity = np.concatenate([self.path_commodity, commodity])
        self.path_cost = np.concatenate([self.path_cost, cost])
        return n_new

    # ------------------------------------------------------------------ solving
    def solve(self) -> tuple[np.ndarray, np.ndarray]:
        """Solve the LP; return (demand duals sigma, arc prices pi >= 0 per augmented arc)."""
        self.solver.run()
        # later solves start from this basis; after columns are added it stays primal
        # feasible, so primal simplex continues where dual simplex would restart
        self.solver.setOptionValue("simplex_strategy", 4)
        status = self.solver.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RoutingError("capacity planning failed", [Problem(
                "planning LP", None, None,
                f"HiGHS status: {self.solver.modelStatusToString(status)}")])
        dual = np.asarray(self.solver.getSolution().row_dual, dtype=float)
        pi = np.zeros(2 * self.big_m)
        on = self.row_of_arc >= 0
        pi[on] = np.maximum(-dual[self.row_of_arc[on]], 0.0)
        return dual[: self.n_dem], pi

    def objective(self) -> float:
        return float(self.solver.getInfo().objective_function_value)

    def values(self) -> np.ndarray:
        return np.asarray(self.solver.getSolution().col_value, dtype=float)

    def fix(self, cols: np.ndarray, values: np.ndarray) -> None:
        """Fix columns at values."""
        values = np.asarray(values, dtype=float)
        self.solver.changeColsBounds(len(cols), cols, values, values)

    def free(self, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Give columns their bounds back."""
        self.solver.changeColsBounds(len(cols), cols, np.asarray(lower, dtype=float),
                                     np.asarray(upper, dtype=float))

    def solve_milp(self, cols: np.ndarray, mip_rel_gap: float,
                   start: np.ndarray | None = None,
                   active: np.ndarray | None = None) -> None:
        """Solve with ``cols`` integral, then fix them at their values (continuous again).

        ``start`` is a feasible solution to start from (default: the current one with the
        integer columns rounded up, which keeps every flow feasible); ``active`` marks the
        path columns the MILP may use (the others are held at 0 while it runs).
        """
        n_cols = self.solver.getNumCol()
        if start is None:
            start = self.values()
            start[cols] = np.ceil(start[cols] - 1e-9)
        values = np.zeros(n_cols)
        values[: len(start)] = start[:n_cols]
        # a copy of the model, so that the live one keeps its simplex basis
        milp = new_solver()
        milp.passModel(self.solver.getLp())
        if active is not None:
            used = np.zeros(n_cols - self.n_fixed_cols, dtype=bool)
            used[: len(active)] = active[: n_cols - self.n_fixed_cols]
            used |= values[self.n_fixed_cols:] > 0
            off = (self.n_fixed_cols + np.flatnonzero(~used)).astype(np.int32)
            milp.changeColsBounds(len(off), off, np.zeros(len(off)), np.zeros(len(off)))
        milp.changeColsIntegrality(len(cols), cols,
                                   np.array([highspy.HighsVarType.kInteger] * len(cols)))
        solution = milp.getSolution()
        solution.col_value = list(values)
        milp.setSolution(solution)
        milp.setOptionValue("mip_rel_gap", float(mip_rel_gap))
        # the start is feasible: skip primal heuristics and presolve restarts
        milp.setOptionValue("mip_heuristic_effort", 0.0)
        milp.setOptionValue("mip_allow_restart", False)
        milp.run()
        status = milp.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RoutingError("capacity planning failed", [Problem(
                "planning MILP", None, None,
                f"HiGHS status: {milp.modelStatusToString(status)}")])
        self.fix(cols, np.round(np.asarray(milp.getSolution().col_value)[cols]))


def _candidates(aug: ArcGraph, arc_weight: np.ndarray, com: Commodities,
                masks: np.ndarray) -> tuple[np.ndarray, np.ndarray, PathSet]:
    paths = route_commodities(aug, arc_weight, com, masks)
    ok = np.flatnonzero(paths.reachable & (np.asarray(com.volume) > 0))
    return paths.arcs[ok], ok, paths


def _usable(arcs: np.ndarray, owner: np.ndarray, aug: ArcGraph, com: Commodities,
            masks: np.ndarray) -> np.ndarray:
    """Which given paths are valid for their commodity: arcs enabled, origin to destination
    through the hub."""
    if not len(owner):
        return np.zeros(0, dtype=bool)
    mask = arcs >= 0
    safe = np.where(mask, arcs, 0)
    edges = aug.arc_edge(safe)
    group = np.asarray(com.group)[owner]
    on = np.where(mask, masks[group[:, None], edges], True).all(axis=1)
    hops = mask.sum(axis=1)
    tail, head = aug.arc_tail, aug.arc_head
    first = tail[safe[:, 0]]
    last = head[safe[np.arange(len(owner)), np.maximum(hops - 1, 0)]]
    ends = (hops > 0) & (first == com.origin[owner]) & (last == com.destination[owner])
    via = com.via[owner]
    through = (via < 0) | np.where(mask, tail[safe] == via[:, None], False).any(axis=1)
    chained = np.where(mask[:, 1:], head[safe[:, :-1]] == tail[safe[:, 1:]], True).all(axis=1)
    return on & ends & through & chained


def _column_generation(model: _Model, aug: ArcGraph, arc_weight: np.ndarray,
                       transit: np.ndarray, com: Commodities, masks: np.ndarray,
                       max_iterations: int, optimality_gap: float
                       ) -> tuple[int, bool, float, PathSet, np.ndarray]:
    """Solve, price and add paths until none improves; return (solves, converged, lower
    bound, last priced paths, final arc prices)."""
    volume = model.volumes
    active = volume > 0
    iterations, converged, bound = 0, False, -math.inf
    priced = PathSet(np.zeros((len(volume), 0), dtype=np.int64),
                     np.zeros(len(volume), dtype=np.int64), np.full(len(volume), np.inf))
    pi = np.zeros(len(arc_weight))
    while iterations < max_iterations:
        sigma, pi = model.solve()
        iterations += 1
        priced = route_commodities(aug, arc_weight + pi, com, masks)
        reach = active & np.isfinite(priced.dist)
        reduced = np.where(reach, priced.dist + transit - sigma, 0.0)
        objective = model.objective()
        bound = objective + float(np.minimum(reduced, 0.0) @ volume)
        gap = (objective - bound) / max(abs(objective), 1e-12)
        improving = reduced < -1e-9 * (1.0 + np.abs(sigma))
        if not improving.any() or gap <= optimality_gap:
            converged = True
            break
        rows = np.flatnonzero(improving)
        arcs = priced.arcs[rows]
        if model.add_paths(arcs, rows, _path_cost(arcs, arc_weight) + transit[rows]) == 0:
            converged = True  # every improving path is already a column (round-off)
            break
    else:
        sigma, pi = model.solve()
    return iterations, converged, bound, priced, pi


def solve_year(problem: YearProblem) -> YearSolution:
    """Choose this year's capacity additions and route the demand at least cost.

    Returns
    -------
    YearSolution
        With ``binding``: one row per capacity constraint with a positive shadow price,
        columns ``edge`` (problem edge index), ``expansion`` (index or -1), ``direction``
        ("forward" from_node -> to_node or "reverse"), ``limit`` ("leased capacity",
        "build limit" when an extendable link reached its max_add_gbps, "not built" when
        a build was possible but not worth its fixed capex, or "added capacity" when the
        price is the marginal cost of building), ``load_gbps``, ``capacity_gbps`` and
        ``shadow_price_usd_per_mbps_month`` (what one more Gbps there would save per
        Gbps-month, in USD per Mbps per month).

    Raises
    ------
    RoutingError
        When HiGHS does not solve the LP or MILP to optimality.
    """
    p = problem
    g = p.graph
    m = g.n_edges
    exps = tuple(p.expansions)
    ext_edge = np.array([x.edge for x in exps], dtype=np.int64)
    aug = _augmented(g, ext_edge)
    big_m = aug.n_edges
    com = p.commodities
    if com.group is None:
        com = Commodities(com.origin, com.via, com.destination, com.volume,
                          np.zeros(len(com), dtype=np.int64))
    masks = np.atleast_2d(np.asarray(p.masks, dtype=bool))
    lease_capacity = np.asarray(p.lease_capacity, dtype=float)
    lease_ok = masks & (lease_capacity > 0)[None, :]
    aug_masks = np.hstack([lease_ok, masks[:, ext_edge]])
    latency = (np.zeros(m) if p.latency_ms is None
               else np.nan_to_num(np.asarray(p.latency_ms, dtype=float)))
    usage = np.array([x.usage_price for x in exps], dtype=float)
    price_edge = np.concatenate([np.asarray(p.lease_price, dtype=float), usage])
    weight_edge = price_edge + p.tie_break * np.concatenate([latency, latency[ext_edge]])
    arc_weight = np.concatenate([weight_edge, weight_edge])
    transit = np.asarray(p.transit_price, dtype=float)
    lease_edges = np.flatnonzero(np.isfinite(lease_capacity) & lease_ok.any(axis=0))
    model = _Model(p, aug, lease_edges)
    arcs, owner, _ = _candidates(aug, arc_weight, com, aug_masks)
    model.add_paths(arcs, owner, _path_cost(arcs, arc_weight) + transit[owner])
    if p.initial_paths is not None and len(p.initial_paths[1]):
        arcs, owner = p.initial_paths
        arcs = np.asarray(arcs, dtype=np.int64)
        owner = np.asarray(owner, dtype=np.int64)
        usable = _usable(arcs, owner, aug, com, aug_masks)
        model.add_paths(arcs[usable], owner[usable],
                        _path_cost(arcs[usable], arc_weight) + transit[owner[usable]])
    state = {"solves": 0}

    def generate(limit: int | None = None) -> tuple[bool, float, PathSet, np.ndarray]:
        n, ok, bound, paths, prices = _column_generation(
            model, aug, arc_weight, transit, com, aug_masks, limit or p.max_iterations,
            p.optimality_gap)
        state["solves"] += n
        return ok, bound, paths, prices

    converged, lower, priced, pi = generate()
    modules = np.array([x.module_gbps for x in exps], dtype=float)
    z_cols = (model.n_dem + model.k_exp + np.flatnonzero(~model.z_forced)).astype(np.int32)
    n_cols = (model.n_dem + np.flatnonzero(modules > 0)).astype(np.int32)
    milp = bool((p.integer_builds and len(z_cols)) or (p.integer_modules and len(n_cols)))
    if p.integer_builds and len(z_cols):
        # Which links to build (binary; modules relaxed). The LP relaxation's fixed-charge
        # bound is weak, and the paths a design needs depend on the design, so the paths
        # of the design that builds nothing new are generated too; HiGHS solves the MILP
        # over the paths used by either LP, starting from that design; then single-link
        # flips improve the answer while they lower the cost, and the routing of the
        # chosen design is re-optimised over all paths. (On random small instances this
        # finds the exact MILP optimum in 196 of 200 cases, the others within 0.25%.)
        used = model.values()[model.n_fixed_cols:] > 1e-9
        model.fix(z_cols, np.zeros(len(z_cols)))
        generate()
        start = model.values()
        used = np.concatenate([used, np.zeros(len(start) - model.n_fixed_cols - len(used),
                                              dtype=bool)]) | (start[model.n_fixed_cols:] > 1e-9)
        model.free(z_cols, np.zeros(len(z_cols)), np.ones(len(z_cols)))
        model.solve_milp(z_cols, p.mip_rel_gap, start=start, active=used)
        converged, _, priced, pi = generate()
        current = np.round(model.values()[z_cols])
        best = model.objective()
        for _ in range(2):
            improved = False
            for j in range(len(z_cols)):
                trial = current.copy()
                trial[j] = 1.0 - trial[j]
                model.fix(z_cols, trial)
                # one pricing round: the flip may need paths the pool lacks; its cost over
                # the paths then at hand bounds its cost over all paths from above, so an
                # improvement found is real
                generate(1)
                if model.objective() < best - 1e-9 * max(1.0, abs(best)):
                    best, current, improved = model.objective(), trial, True
            if not improved:
                break
        model.fix(z_cols, current)
        converged, _, priced, pi = generate()
    if p.integer_modules and len(n_cols):
        model.solve_milp(n_cols, p.mip_rel_gap)
        converged, _, priced, pi = generate()
    solves = state["solves"]
    objective = model.objective()
    x = np.maximum(model.values(), 0.0)
    n_dem = len(model.volumes)
    k_exp = len(exps)
    flow = x[model.n_fixed_cols:]
    volume = model.volumes
    served = np.bincount(model.path_commodity, weights=flow, minlength=n_dem)
    if (served - volume > 1e-6 * (1.0 + volume)).any():
        raise RoutingError("capacity planning failed", [Problem(
            "planning LP", None, None, "served exceeds offered")])
    served = np.minimum(served, volume)
    unserved = volume - served
    n_val = x[n_dem:n_dem + k_exp]
    added = n_val * model.scale
    added[added < _TOL] = 0.0
    z_val = x[n_dem + k_exp:model.n_fixed_cols]
    built_now = np.zeros(k_exp, dtype=bool)
    if len(model.z_exp):
        built_now[model.z_exp] = z_val > 0.5 if p.integer_builds else z_val > _TOL
    z_full = np.zeros(k_exp)
    if len(model.z_exp):
        z_full[model.z_exp] = np.round(z_val) if p.integer_builds else z_val
    mask = model.path_arcs >= 0
    load = (np.bincount(model.path_arcs[mask], weights=np.repeat(flow, mask.sum(axis=1)),
                        minlength=2 * big_m) if model.path_arcs.size else np.zeros(2 * big_m))
    lease_load = np.concatenate([load[:m], load[big_m:big_m + m]])
    added_load = np.concatenate([load[m:big_m], load[big_m + m:]])
    lease_usd = float((lease_load @ np.concatenate([p.lease_price, p.lease_price])
                       + added_load @ np.concatenate([usage, usage])) * USD_YEAR_PER_UNIT)
    transit_usd = float(served @ transit * USD_YEAR_PER_UNIT)
    capex = float(sum(added[k] * e.capex_usd_per_gbps + z_full[k] * e.fixed_capex_usd
                      for k, e in enumerate(exps)))
    penalty = float(unserved.sum() * p.unmet_penalty * USD_YEAR_PER_UNIT)
    binding = _binding(model, exps, added, pi, load, lease_capacity, z_full)
    limits = _unmet_reasons(unserved, priced, pi, aug, m, binding)
    return YearSolution(aug, model.path_arcs, model.path_commodity, flow, served, unserved,
                        added, built_now, z_full, lease_load, added_load, lease_usd,
                        transit_usd,
                        penalty, capex, objective, min(lower, objective), solves, converged,
                        milp, pi, binding, limits)


def _binding(model: _Model, exps: tuple[Expansion, ...], added: np.ndarray,
             pi: np.ndarray, load: np.ndarray, lease_capacity: np.ndarray,
             z_full: np.ndarray) -> pd.DataFrame:
    big_m, m = model.big_m, model.m
    records = []
    for arc in np.flatnonzero(pi > 1e-9):
        edge = arc % big_m
        direction = "forward" if arc < big_m else "reverse"
        if edge < m:
            records.append((int(edge), -1, direction, "leased capacity", float(load[arc]),
                            float(lease_capacity[edge]), float(pi[arc])))
            continue
        k = int(edge - m)
        x = exps[k]
        total = x.carried_gbps + added[k]
        if math.isfinite(x.max_add_gbps) and added[k] >= (
                model.upper_n[k] * model.scale[k]) - 1e-6:
            limit = "build limit"
        elif not x.built and model.z_of[k] >= 0 and z_full[k] < 0.5 and added[k] == 0:
            limit = "not built"
        else:
            limit = "added capacity"
        records.append((int(x.edge), k, direction, limit, float(load[arc]), float(total),
                        float(pi[arc])))
    return pd.DataFrame.from_records(records, columns=[
        "edge", "expansion", "direction", "limit", "load_gbps", "capacity_gbps",
        "shadow_price_usd_per_mbps_month"])


def _unmet_reasons(unserved: np.ndarray, priced: PathSet, pi: np.ndarray, aug: ArcGraph,
                   m: int, binding: pd.DataFrame) -> list[str]:
    big_m = aug.n_edges
    limit_of = {}
    for row in binding.itertuples(index=False):
        arc = (row.edge if row.expansion < 0 else m + row.expansion) + (
            0 if row.direction == "forward" else big_m)
        limit_of[arc] = row.limit
    out = []
    for d, gap in enumerate(unserved):
        if gap <= 1e-6:
            out.append("")
            continue
        if d >= len(priced.dist) or not np.isfinite(priced.dist[d]):
            out.append("no path in the scenario's network")
            continue
        arcs = priced.arcs[d][priced.arcs[d] >= 0]
        tight = [a for a in arcs if pi[a] > 1e-9]
        if not tight:
            out.append("serving it costs more than the unmet-demand penalty")
            continue
        parts = []
        for a in tight:
            edge = a % big_m
            name = str(aug.edge_ids[edge]).removesuffix("+added")
            direction = "forward" if a < big_m else "reverse"
            parts.append(f"{name} {direction}: {limit_of.get(a, 'capacity')}")
        out.append("; ".join(parts))
    return out
