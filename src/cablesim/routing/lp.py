"""Capacitated routing: a path-based min-cost multi-commodity flow LP solved by HiGHS.

Each commodity d has candidate paths p (padded arc rows) and an unmet-demand slack u_d::

    minimise    sum_p cost_p * x_p + penalty * sum_d u_d
    subject to  sum_{p of d} x_p + u_d = volume_d            for every commodity d
                sum_p count(p, a) * x_p <= capacity_a        for every arc a
                x, u >= 0

The matrix is assembled with numpy/scipy (no Python loops over paths) and passed to highspy
in column-wise form; HiGHS's default simplex solves it. :class:`PathLP` keeps the model live
so that column generation can add paths priced with the capacity duals and re-solve from
the previous basis.
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
    """The path LP as a live HiGHS model that accepts new path columns (column generation).

    Capacity rows exist for every arc with a finite capacity from the start, so new paths
    only add columns; HiGHS re-solves from the previous basis.

    Parameters
    ----------
    volumes : ndarray, shape (D,)
        Offered volume per commodity (Gbps).
    arc_capacity : ndarray, shape (n_arcs,)
        Capacity per arc (Gbps); ``inf`` for none.
    unmet_penalty : float
        Cost per unit of unserved volume.
    """

    def __init__(self, volumes: np.ndarray, arc_capacity: np.ndarray,
                 unmet_penalty: float) -> None:
        self.volumes = np.asarray(volumes, dtype=float)
        self.arc_capacity = np.asarray(arc_capacity, dtype=float)
        self.unmet_penalty = float(unmet_penalty)
        n_dem = len(self.volumes)
        finite = np.isfinite(self.arc_capacity)
        self.cap_arcs = np.flatnonzero(finite)
        self.row_of_arc = np.full(len(self.arc_capacity), -1, dtype=np.int64)
        self.row_of_arc[self.cap_arcs] = n_dem + np.arange(len(self.cap_arcs))
        self.n_rows = n_dem + len(self.cap_arcs)
        self.path_arcs = np.zeros((0, 0), dtype=np.int64)
        self.path_commodity = np.zeros(0, dtype=np.int64)
        self.path_cost = np.zeros(0)
        lp = highspy.HighsLp()
        lp.num_col_ = n_dem  # the unmet slacks come first
        lp.num_row_ = self.n_rows
        lp.col_cost_ = np.full(n_dem, self.unmet_penalty)
        lp.col_lower_ = np.zeros(n_dem)
        lp.col_upper_ = np.full(n_dem, highspy.kHighsInf)
        lp.row_lower_ = np.concatenate([self.volumes, np.full(len(self.cap_arcs),
                                                              -highspy.kHighsInf)])
        lp.row_upper_ = np.concatenate([self.volumes, self.arc_capacity[self.cap_arcs]])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.arange(n_dem + 1, dtype=np.int32)
        lp.a_matrix_.index_ = np.arange(n_dem, dtype=np.int32)
        lp.a_matrix_.value_ = np.ones(n_dem)
        self.solver = new_solver()
        self.solver.passModel(lp)

    def add_paths(self, path_arcs: np.ndarray, path_commodity: np.ndarray,
                  path_cost: np.ndarray) -> None:
        """Add candidate path columns (arc rows padded with -1; repeats count twice)."""
        path_arcs = np.asarray(path_arcs, dtype=np.int64)
        n_new = len(path_commodity)
        if n_new == 0:
            return
        mask = path_arcs >= 0
        p_idx = np.broadcast_to(np.arange(n_new)[:, None], path_arcs.shape)[mask]
        rows_cap = self.row_of_arc[path_arcs[mask]]
        keep = rows_cap >= 0
        rows = np.concatenate([np.asarray(path_commodity, dtype=np.int64), rows_cap[keep]])
        cols = np.concatenate([np.arange(n_new), p_idx[keep]])
        matrix = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(self.n_rows, n_new))
        matrix.sort_indices()
        cost = np.asarray(path_cost, dtype=float)
        self.solver.addCols(n_new, cost, np.zeros(n_new), np.full(n_new, highspy.kHighsInf),
                            int(matrix.nnz), matrix.indptr.astype(np.int32),
                            matrix.indices.astype(np.int32), matrix.data.astype(float))
        width = max(self.path_arcs.shape[1], path_arcs.shape[1])
        old = np.full((len(self.path_commodity), width), -1, dtype=np.int64)
        old[:, : self.path_arcs.shape[1]] = self.path_arcs
        new = np.full((n_new, width), -1, dtype=np.int64)
        new[:, : path_arcs.shape[1]] = path_arcs
        self.path_arcs = np.vstack([old, new])
        self.path_commodity = np.concatenate([self.path_commodity,
                                              np.asarray(path_commodity, dtype=np.int64)])
        self.path_cost = np.concatenate([self.path_cost, cost])

    def solve(self) -> tuple[np.ndarray, np.ndarray]:
        """Solve; return (commodity duals sigma, arc prices pi >= 0 per arc).

        A path p of commodity d improves the LP when
        ``cost_p + sum_{a in p} pi_a < sigma_d``.

        Raises
        ------
        RoutingError
            When HiGHS does not report an optimal solution.
        """
        self.solver.run()
        # later solves start from this basis after columns are added: the basis stays
        # primal feasible, so primal simplex continues where dual simplex would restart
        self.solver.setOptionValue("simplex_strategy", 4)
        status = self.solver.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RoutingError("capacitated routing failed", [Problem(
                "path LP", None, None,
                f"HiGHS status: {self.solver.modelStatusToString(status)}")])
        dual = np.asarray(self.solver.getSolution().row_dual, dtype=float)
        n_dem = len(self.volumes)
        pi = np.zeros(len(self.arc_capacity))
        pi[self.cap_arcs] = np.maximum(-dual[n_dem:], 0.0)
        return dual[:n_dem], pi

    def objective(self) -> float:
        """Objective of the current solution (path costs plus unmet penalties)."""
        return float(self.solver.getInfo().objective_function_value)

    def result(self, tolerance: float = 1e-6) -> PathLPResult:
        """The current solution as a :class:`PathLPResult` (call after :meth:`solve`)."""
        x = np.maximum(np.asarray(self.solver.getSolution().col_value, dtype=float), 0.0)
        n_dem = len(self.volumes)
        return _finish(x[n_dem:], x[:n_dem], self.path_arcs, self.path_commodity,
                       self.path_cost, self.volumes, len(self.arc_capacity), tolerance)


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
    mask = path_arcs >= 0
    load = np.bincount(path_arcs[mask], weights=np.repeat(path_flow, mask.sum(axis=1)),
                       minlength=n_arcs)
    return PathLPResult(path_flow, served, unserved, load, float(path_cost @ path_flow))


def solve_path_lp(
    path_arcs: np.ndarray,
    path_commodity: np.ndarray,
    path_cost: np.ndarray,
    volumes: np.ndarray,
    arc_capacity: np.ndarray,
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
