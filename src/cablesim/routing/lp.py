"""Capacitated routing: a path-based min-cost multi-commodity flow LP solved by HiGHS.

Each commodity d has candidate paths p (padded arc rows) and an unmet-demand slack u_d::

    minimise    sum_p cost_p * x_p + penalty * sum_d u_d
    subject to  sum_{p of d} x_p + u_d = volume_d            for every commodity d
                sum_p count(p, a) * x_p <= capacity_a        for every arc a
                x, u >= 0

The matrix is assembled with numpy/scipy (no Python loops over paths) and passed to highspy
in column- and row-wise blocks; HiGHS's default (dual) simplex solves it. :class:`PathLP`
keeps the model live so that column generation can add paths priced with the capacity duals
and re-solve from the previous basis. It holds lazily only the rows that matter: capacity
rows of arcs that are (or once were) overloaded, and demand rows of the commodities that
touch them; the others are solved by inspection (whole volume on the cheapest path), and
every capacity is checked after each solve (violated ones get their row: row generation).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from cablesim._errors import Problem, RoutingError

__all__ = ["PathLPResult", "PathLP", "solve_path_lp", "new_solver"]


@dataclass(frozen=True)
class PathLPResult:
    """Solution of :func:`solve_path_lp`.

    Attributes
    ----------
    path_flow : ndarray, shape (P,)
        Flow on each candidate path (same unit as the volumes, e.g. Gbps).
    served, unserved : ndarray, shape (D,)
        Per commodity; ``served + unserved == volume`` exactly (unserved is computed as the
        remainder, after checking it agrees with the LP's slack within tolerance).
    arc_load : ndarray, shape (n_arcs,)
        Flow on each arc.
    objective : float
        Cost of the served flow (the penalty on unserved demand excluded).
    """

    path_flow: np.ndarray
    served: np.ndarray
    unserved: np.ndarray
    arc_load: np.ndarray
    objective: float


_BANNER_SHOWN = False


def new_solver() -> highspy.Highs:
    """A silent HiGHS instance.

    HiGHS prints a copyright banner to the process's standard output when the first
    instance is created, before any option can be set; library code must not print, so the
    first construction runs with file descriptor 1 pointed at /dev/null.
    """
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        solver = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            solver = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _BANNER_SHOWN = True
    solver.setOptionValue("output_flag", False)
    return solver


class PathLP:
    """The path LP as a live HiGHS model with lazy rows (row and column generation).

    Most arcs never bind and most commodities never meet a binding arc, so the HiGHS model
    holds only part of the LP (the *restricted* LP):

    - capacity rows only for *active* arcs: those that the commodities' cheapest candidate
      paths would overload, those given as ``hot_arcs``, and every arc found over
      capacity after a solve (row generation: :meth:`solve` re-solves until no arc
      anywhere is over capacity);
    - demand rows, slack and path columns only for *active* commodities: those whose
      cheapest candidate crosses an active arc, or that received a path after the first
      solve. An inactive commodity sends its whole volume on its cheapest candidate (or
      leaves it unserved when that costs more than the penalty).

    This is exact: at the end of :meth:`solve` the combined solution is feasible for every
    capacity, and the LP duals extended with ``pi_a = 0`` on inactive arcs and
    ``sigma_d = min(cheapest candidate cost, penalty)`` on inactive commodities are dual
    feasible for the full LP (an inactive commodity's cheapest candidate crosses no
    active arc, and ``pi >= 0``), with complementary slackness, so the solution is optimal
    over all candidates and all capacities.

    Parameters
    ----------
    volumes : ndarray, shape (D,)
        Offered volume per commodity (Gbps).
    arc_capacity : ndarray, shape (n_arcs,)
        Capacity per arc (Gbps); ``inf`` for none.
    unmet_penalty : float
        Cost per unit of unserved volume.
    hot_arcs : ndarray of bool, shape (n_arcs,), optional
        Arcs that get a capacity row from the start as well (e.g. likely to bind).
    """

    def __init__(self, volumes: np.ndarray, arc_capacity: np.ndarray,
                 unmet_penalty: float, hot_arcs: np.ndarray | None = None) -> None:
        self.volumes = np.asarray(volumes, dtype=float)
        self.arc_capacity = np.asarray(arc_capacity, dtype=float)
        self.unmet_penalty = float(unmet_penalty)
        self.hot_arcs = None if hot_arcs is None else np.asarray(hot_arcs, dtype=bool)
        n_dem, n_arcs = len(self.volumes), len(self.arc_capacity)
        self.path_arcs = np.zeros((0, 0), dtype=np.int64)
        self.path_commodity = np.zeros(0, dtype=np.int64)
        self.path_cost = np.zeros(0)
        self.path_col = np.zeros(0, dtype=np.int64)  # HiGHS column, -1 outside the LP
        self.demand_row = np.full(n_dem, -1, dtype=np.int64)
        self.unmet_col = np.full(n_dem, -1, dtype=np.int64)
        self.arc_row = np.full(n_arcs, -1, dtype=np.int64)
        self.default_path = np.full(n_dem, -1, dtype=np.int64)  # of inactive commodities
        self.default_cost = np.full(n_dem, self.unmet_penalty)
        self.n_rows = 0
        self.n_cols = 0
        self.solves = 0
        self.started = False
        self._x = np.zeros(0)
        self._row_dual = np.zeros(0)
        self.solver = new_solver()

    # ------------------------------------------------------------------ public
    @property
    def active_commodities(self) -> np.ndarray:
        """Commodities with a demand row in the HiGHS model."""
        return self.demand_row >= 0

    @property
    def active_arcs(self) -> np.ndarray:
        """Arcs with a capacity row in the HiGHS model."""
        return self.arc_row >= 0

    def add_paths(self, path_arcs: np.ndarray, path_commodity: np.ndarray,
                  path_cost: np.ndarray) -> None:
        """Add candidate path columns (arc rows padded with -1; repeats count twice).

        After the first :meth:`solve`, a path of an inactive commodity activates it.
        """
        path_arcs = np.asarray(path_arcs, dtype=np.int64)
        n_new = len(path_commodity)
        if n_new == 0:
            return
        first = len(self.path_commodity)
        width = max(self.path_arcs.shape[1], path_arcs.shape[1])
        if width > self.path_arcs.shape[1]:
            self.path_arcs = np.pad(self.path_arcs, ((0, 0), (0, width - self.path_arcs.shape[1])),
                                    constant_values=-1)
        if width > path_arcs.shape[1]:
            path_arcs = np.pad(path_arcs, ((0, 0), (0, width - path_arcs.shape[1])),
                               constant_values=-1)
        commodity = np.asarray(path_commodity, dtype=np.int64)
        self.path_arcs = np.vstack([self.path_arcs, path_arcs])
        self.path_commodity = np.concatenate([self.path_commodity, commodity])
        self.path_cost = np.concatenate([self.path_cost, np.asarray(path_cost, dtype=float)])
        self.path_col = np.concatenate([self.path_col, np.full(n_new, -1, dtype=np.int64)])
        if not self.started:
            return
        new = np.unique(commodity[self.demand_row[commodity] < 0])
        if len(new):
            self._activate_commodities(new)
        self._add_columns(first + np.flatnonzero(self.path_col[first:] < 0))

    def solve(self) -> tuple[np.ndarray, np.ndarray]:
        """Solve, adding the capacity rows of violated arcs until none is over capacity.

        Returns (commodity duals sigma, arc prices pi >= 0 per arc); a path p of commodity
        d improves the LP when ``cost_p + sum_{a in p} pi_a < sigma_d``.

        Raises
        ------
        RoutingError
            When HiGHS does not report an optimal solution.
        """
        if not self.started:
            self._start()
        while True:
            self._run()
            over = self.arc_load() - self.arc_capacity
            violated = np.flatnonzero((self.arc_row < 0) & (
                over > 1e-9 * np.maximum(self.arc_capacity, 1.0)))
            if not len(violated):
                break
            self._activate_arcs(violated)
        # every capacity holds, not only those with a row (HiGHS's tolerance aside)
        finite = np.isfinite(self.arc_capacity)
        worst = float(np.max(over[finite] / np.maximum(self.arc_capacity[finite], 1.0),
                             initial=0.0))
        if worst > 1e-6:
            raise RoutingError("capacitated routing failed", [Problem(
                "path LP", None, None, f"an arc is over capacity by {worst:.3g} (relative)")])
        sigma = self.default_cost.copy()
        on = self.demand_row >= 0
        sigma[on] = self._row_dual[self.demand_row[on]]
        pi = np.zeros(len(self.arc_capacity))
        arcs = np.flatnonzero(self.arc_row >= 0)
        pi[arcs] = np.maximum(-self._row_dual[self.arc_row[arcs]], 0.0)
        return sigma, pi

    def path_flow(self) -> np.ndarray:
        """Flow on every candidate path (LP columns, and inactive commodities' cheapest)."""
        flow = np.zeros(len(self.path_commodity))
        in_lp = self.path_col >= 0
        flow[in_lp] = np.maximum(self._x[self.path_col[in_lp]], 0.0)
        off = np.flatnonzero((self.demand_row < 0) & (self.default_path >= 0))
        flow[self.default_path[off]] = self.volumes[off]
        return flow

    def arc_load(self) -> np.ndarray:
        """Flow on every arc in the current solution."""
        return _loads(self.path_arcs, self.path_flow(), len(self.arc_capacity))

    def objective(self) -> float:
        """Objective of the current solution (path costs plus unmet penalties)."""
        off = self.demand_row < 0
        outside = float(self.default_cost[off] @ self.volumes[off])
        if self.n_cols == 0:
            return outside
        return float(self.solver.getInfo().objective_function_value) + outside

    def result(self, tolerance: float = 1e-6) -> PathLPResult:
        """The current solution as a :class:`PathLPResult` (call after :meth:`solve`)."""
        slack = np.where(self.default_path >= 0, 0.0, self.volumes)
        on = self.demand_row >= 0
        slack[on] = np.maximum(self._x[self.unmet_col[on]], 0.0)
        return _finish(self.path_flow(), slack, self.path_arcs, self.path_commodity,
                       self.path_cost, self.volumes, len(self.arc_capacity), tolerance)

    # ------------------------------------------------------------------ internals
    def _start(self) -> None:
        """Pick the initial active arcs and commodities from the cheapest candidates."""
        self.started = True
        n_paths = len(self.path_commodity)
        if n_paths:
            # cheapest candidate per commodity (first one on ties)
            order = np.lexsort((np.arange(n_paths), self.path_cost, self.path_commodity))
            head = np.ones(n_paths, dtype=bool)
            head[1:] = self.path_commodity[order][1:] != self.path_commodity[order][:-1]
            best = order[head]
            cheap = self.path_cost[best] < self.unmet_penalty
            owner = self.path_commodity[best]
            self.default_path[owner[cheap]] = best[cheap]
            self.default_cost[owner[cheap]] = self.path_cost[best[cheap]]
        load = self.arc_load()
        finite = np.isfinite(self.arc_capacity)
        hot = load > self.arc_capacity  # (zero-capacity arcs that carry nothing: no row)
        if self.hot_arcs is not None:
            hot |= self.hot_arcs
        hot &= finite
        self._activate_arcs(np.flatnonzero(hot))

    def _activate_arcs(self, arcs: np.ndarray) -> None:
        """Add capacity rows for ``arcs`` and activate the commodities they concern."""
        if not len(arcs):
            return
        is_new = np.zeros(len(self.arc_capacity), dtype=bool)
        is_new[arcs] = True
        local = np.full(len(self.arc_capacity), -1, dtype=np.int64)
        local[arcs] = np.arange(len(arcs))
        # entries over the columns already in the LP
        in_lp = np.flatnonzero(self.path_col >= 0)
        sub = self.path_arcs[in_lp]
        hit = (sub >= 0) & is_new[np.maximum(sub, 0)]
        p_idx, h_idx = np.nonzero(hit)
        matrix = sp.csr_matrix((np.ones(len(p_idx)), (local[sub[p_idx, h_idx]],
                                                      self.path_col[in_lp[p_idx]])),
                               shape=(len(arcs), max(self.n_cols, 1)))
        matrix.sort_indices()
        self.solver.addRows(len(arcs), np.full(len(arcs), -highspy.kHighsInf),
                            self.arc_capacity[arcs], int(matrix.nnz),
                            matrix.indptr.astype(np.int32), matrix.indices.astype(np.int32),
                            matrix.data.astype(float))
        self.arc_row[arcs] = self.n_rows + np.arange(len(arcs))
        self.n_rows += len(arcs)
        # inactive commodities whose cheapest candidate crosses a new row join the LP
        off = np.flatnonzero((self.demand_row < 0) & (self.default_path >= 0))
        d_arcs = self.path_arcs[self.default_path[off]]
        crosses = ((d_arcs >= 0) & is_new[np.maximum(d_arcs, 0)]).any(axis=1)
        if crosses.any():
            self._activate_commodities(off[crosses])
            self._add_columns(np.flatnonzero((self.path_col < 0) & (
                self.demand_row[self.path_commodity] >= 0)))

    def _activate_commodities(self, commodities: np.ndarray) -> None:
        """Add demand rows and unmet slacks (the caller adds their path columns)."""
        k = len(commodities)
        vol = self.volumes[commodities]
        self.solver.addRows(k, vol, vol, 0, np.zeros(k, dtype=np.int32),
                            np.zeros(0, dtype=np.int32), np.zeros(0))
        rows = self.n_rows + np.arange(k)
        self.demand_row[commodities] = rows
        self.n_rows += k
        self.solver.addCols(k, np.full(k, self.unmet_penalty), np.zeros(k),
                            np.full(k, highspy.kHighsInf), k, np.arange(k, dtype=np.int32),
                            rows.astype(np.int32), np.ones(k))
        self.unmet_col[commodities] = self.n_cols + np.arange(k)
        self.n_cols += k

    def _add_columns(self, paths: np.ndarray) -> None:
        """Add the pool paths ``paths`` (of active commodities) as LP columns."""
        n_new = len(paths)
        if n_new == 0:
            return
        sub = self.path_arcs[paths]
        mask = sub >= 0
        p_idx = np.broadcast_to(np.arange(n_new)[:, None], sub.shape)[mask]
        rows_cap = self.arc_row[sub[mask]]
        keep = rows_cap >= 0
        rows = np.concatenate([self.demand_row[self.path_commodity[paths]], rows_cap[keep]])
        cols = np.concatenate([np.arange(n_new), p_idx[keep]])
        matrix = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(self.n_rows, n_new))
        matrix.sort_indices()
        self.solver.addCols(n_new, self.path_cost[paths], np.zeros(n_new),
                            np.full(n_new, highspy.kHighsInf), int(matrix.nnz),
                            matrix.indptr.astype(np.int32), matrix.indices.astype(np.int32),
                            matrix.data.astype(float))
        self.path_col[paths] = self.n_cols + np.arange(n_new)
        self.n_cols += n_new

    def _run(self) -> None:
        if self.n_cols == 0:
            self._x, self._row_dual = np.zeros(0), np.zeros(self.n_rows)
            return
        self.solver.run()
        self.solves += 1
        status = self.solver.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RoutingError("capacitated routing failed", [Problem(
                "path LP", None, None,
                f"HiGHS status: {self.solver.modelStatusToString(status)}")])
        solution = self.solver.getSolution()
        self._x = np.asarray(solution.col_value, dtype=float)
        self._row_dual = np.asarray(solution.row_dual, dtype=float)


def _loads(path_arcs: np.ndarray, path_flow: np.ndarray, n_arcs: int) -> np.ndarray:
    mask = path_arcs >= 0
    return np.bincount(path_arcs[mask], weights=np.repeat(path_flow, mask.sum(axis=1)),
                       minlength=n_arcs)


def _finish(path_flow: np.ndarray, slack: np.ndarray, path_arcs: np.ndarray,
            path_commodity: np.ndarray, path_cost: np.ndarray, volumes: np.ndarray,
            n_arcs: int, tolerance: float) -> PathLPResult:
    n_dem = len(volumes)
    served = np.bincount(path_commodity, weights=path_flow, minlength=n_dem)
    excess = served - volumes
    if (excess > tolerance).any():
        raise RoutingError("capacitated routing failed", [Problem(
            "path LP", None, None, f"served exceeds offered by {excess.max():.3g}")])
    served = np.minimum(served, volumes)
    unserved = volumes - served
    if np.abs(unserved - slack).max(initial=0.0) > max(tolerance, 1e-9 * volumes.sum()):
        raise RoutingError("capacitated routing failed", [Problem(
            "path LP", None, None, "unmet slack disagrees with the served flow")])
    load = _loads(path_arcs, path_flow, n_arcs)
    return PathLPResult(path_flow, served, unserved, load, float(path_cost @ path_flow))


def solve_path_lp(
    path_arcs: np.ndarray,
    path_commodity: np.ndarray,
    path_cost: np.ndarray,
    volumes: np.ndarray,
    arc_capacity: np.ndarray,
    *,
    unmet_penalty: float | None = None,
    tolerance: float = 1e-6,
) -> PathLPResult:
    """Solve the path-formulation min-cost multi-commodity flow over fixed candidates.

    Parameters
    ----------
    path_arcs : ndarray of int, shape (P, H)
        Arc ids of each candidate path, padded with -1; an arc may appear more than once.
    path_commodity : ndarray of int, shape (P,)
        Commodity index of each path.
    path_cost : ndarray, shape (P,)
        Cost per unit of flow on each path (e.g. USD per Gbps per month, or ms).
    volumes : ndarray, shape (D,)
        Offered volume per commodity (Gbps).
    arc_capacity : ndarray, shape (n_arcs,)
        Capacity per arc (Gbps); ``inf`` for none.
    unmet_penalty : float, optional
        Cost per unit of unserved volume; default ten times the costliest path plus one,
        so serving demand on any candidate path always beats dropping it.
    tolerance : float
        Absolute tolerance of the consistency checks on the solution.

    Raises
    ------
    RoutingError
        When HiGHS does not report an optimal solution.
    """
    path_cost = np.asarray(path_cost, dtype=float)
    if unmet_penalty is None:
        unmet_penalty = 10.0 * float(path_cost.max(initial=0.0)) + 1.0
    model = PathLP(volumes, arc_capacity, unmet_penalty)
    model.add_paths(path_arcs, path_commodity, path_cost)
    model.solve()
    return model.result(tolerance)
