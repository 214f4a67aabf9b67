"""Capacitated routing: a path-based min-cost multi-commodity flow LP solved by HiGHS.

Each commodity d has candidate paths p (padded arc rows) and an unmet-demand slack u_d::

    minimise    sum_p cost_p * x_p + penalty * sum_d u_d
    subject to  sum_{p of d} x_p + u_d = volume_d            for every commodity d
                sum_p count(p, a) * x_p <= capacity_a        for every arc a on a candidate
                x, u >= 0

The matrix is assembled with numpy/scipy (no Python loops over paths) and passed to highspy
in column-wise form; HiGHS's default simplex solves it.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from cablesim._errors import Problem, RoutingError

__all__ = ["PathLPResult", "solve_path_lp"]


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


def _new_solver() -> highspy.Highs:
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


def solve_path_lp(
    path_arcs: np.ndarray,
    path_commodity: np.ndarray,
    path_cost: np.ndarray,
    volumes: np.ndarray,
    arc_capacity: np.ndarray,
    unmet_penalty: float | None = None,
    tolerance: float = 1e-6,
) -> PathLPResult:
    """Solve the path-formulation min-cost multi-commodity flow.

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
    path_arcs = np.asarray(path_arcs, dtype=np.int64)
    path_commodity = np.asarray(path_commodity, dtype=np.int64)
    path_cost = np.asarray(path_cost, dtype=float)
    volumes = np.asarray(volumes, dtype=float)
    arc_capacity = np.asarray(arc_capacity, dtype=float)
    n_paths, n_dem, n_arcs = len(path_commodity), len(volumes), len(arc_capacity)
    if unmet_penalty is None:
        unmet_penalty = 10.0 * float(path_cost.max(initial=0.0)) + 1.0

    mask = path_arcs >= 0
    p_idx = np.broadcast_to(np.arange(n_paths)[:, None], path_arcs.shape)[mask]
    a_idx = path_arcs[mask]
    used_arcs, cap_row = np.unique(a_idx, return_inverse=True)
    finite = np.isfinite(arc_capacity[used_arcs])
    # capacity rows only for arcs with a finite capacity; others are dropped
    row_of_used = np.full(len(used_arcs), -1, dtype=np.int64)
    row_of_used[finite] = n_dem + np.arange(int(finite.sum()))
    cap_rows = row_of_used[cap_row]
    keep = cap_rows >= 0
    rows = np.concatenate([path_commodity, cap_rows[keep], np.arange(n_dem)])
    cols = np.concatenate([np.arange(n_paths), p_idx[keep], n_paths + np.arange(n_dem)])
    vals = np.ones(len(rows))
    n_rows = n_dem + int(finite.sum())
    n_cols = n_paths + n_dem
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(n_rows, n_cols))  # sums repeats
    matrix.sort_indices()

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = np.concatenate([path_cost, np.full(n_dem, unmet_penalty)])
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.full(n_cols, highspy.kHighsInf)
    lp.row_lower_ = np.concatenate([volumes, np.full(n_rows - n_dem, -highspy.kHighsInf)])
    lp.row_upper_ = np.concatenate([volumes, arc_capacity[used_arcs[finite]]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(float)
    solver = _new_solver()
    solver.passModel(lp)
    solver.run()
    status = solver.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RoutingError("capacitated routing failed", [Problem(
            "path LP", None, None, f"HiGHS status: {solver.modelStatusToString(status)}")])
    x = np.maximum(np.asarray(solver.getSolution().col_value, dtype=float), 0.0)
    path_flow = x[:n_paths]
    served = np.bincount(path_commodity, weights=path_flow, minlength=n_dem)
    # never report more than offered: trim rounding excess off the largest path
    excess = served - volumes
    if (excess > tolerance).any():
        raise RoutingError("capacitated routing failed", [Problem(
            "path LP", None, None, f"served exceeds offered by {excess.max():.3g}")])
    served = np.minimum(served, volumes)
    unserved = volumes - served
    if np.abs(unserved - x[n_paths:]).max(initial=0.0) > max(tolerance, 1e-9 * volumes.sum()):
        raise RoutingError("capacitated routing failed", [Problem(
            "path LP", None, None, "unmet slack disagrees with the served flow")])
    load = np.bincount(a_idx, weights=np.repeat(path_flow, mask.sum(axis=1)),
                       minlength=n_arcs)
    return PathLPResult(path_flow, served, unserved, load, float(path_cost @ path_flow))
