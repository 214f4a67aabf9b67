"""Shortest paths for many origin-destination pairs at once.

Demands are grouped by origin; one multi-source ``scipy.sparse.csgraph.dijkstra`` call
(in chunks of origins to bound memory) gives distances and predecessors; a vectorised walk
moves every demand one hop back towards its origin per numpy operation; per-arc loads are one
``np.bincount``. The number of distinct origins, not of demands, drives the cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from cablesim.routing.graph import ArcGraph, WeightedCSR

__all__ = ["PathSet", "shortest_paths", "arc_loads", "concat_paths", "distances_from"]

_CHUNK = 512
"""Origins per Dijkstra call: bounds the dense distance block to 512 x n floats."""


@dataclass(frozen=True)
class PathSet:
    """Paths of D demands as a padded arc matrix.

    Attributes
    ----------
    arcs : ndarray of int64, shape (D, H)
        Arc ids along each path in travel order, padded with -1.
    hops : ndarray of int64, shape (D,)
        Number of arcs of each path (0 for origin == destination or unreachable).
    dist : ndarray of float, shape (D,)
        Path weight; ``inf`` where the destination is unreachable.
    """

    arcs: np.ndarray
    hops: np.ndarray
    dist: np.ndarray

    @property
    def reachable(self) -> np.ndarray:
        """Whether each demand has a path."""
        return np.isfinite(self.dist)

    def __len__(self) -> int:
        return len(self.hops)


def distances_from(csr: WeightedCSR, sources: np.ndarray) -> np.ndarray:
    """Shortest-path distances from each source to every node, shape (len(sources), n)."""
    if len(sources) == 0:
        return np.zeros((0, csr.matrix.shape[0]))
    return dijkstra(csr.matrix, directed=True, indices=np.asarray(sources, dtype=np.int64))


def shortest_paths(graph: ArcGraph, csr: WeightedCSR, origins: np.ndarray,
                   destinations: np.ndarray) -> PathSet:
    """Least-weight paths from ``origins[i]`` to ``destinations[i]`` for every i.

    Parameters
    ----------
    graph : ArcGraph
        The network's array view.
    csr : WeightedCSR
        Adjacency with the weights to minimise (from :meth:`ArcGraph.csr`).
    origins, destinations : ndarray of int
        Node indices, shape (D,).

    Returns
    -------
    PathSet
    """
    origins = np.asarray(origins, dtype=np.int64)
    destinations = np.asarray(destinations, dtype=np.int64)
    n_dem = len(origins)
    n = graph.n_nodes
    dist = np.full(n_dem, np.inf)
    if n_dem == 0:
        return PathSet(np.zeros((0, 0), dtype=np.int64), np.zeros(0, dtype=np.int64), dist)
    unique, group = np.unique(origins, return_inverse=True)
    hops = np.zeros(n_dem, dtype=np.int64)
    # one entry per (demand, hop): demand row, back-step index (0 = last arc), arc id
    step_rows: list[np.ndarray] = []
    step_back: list[np.ndarray] = []
    step_arcs: list[np.ndarray] = []
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start:start + _CHUNK]
        d_block, p_block = dijkstra(csr.matrix, directed=True, indices=chunk,
                                    return_predecessors=True)
        rows = np.flatnonzero((group >= start) & (group < start + len(chunk)))
        local = group[rows] - start
        dist[rows] = d_block[local, destinations[rows]]
        # flat positions k * n + v: the arc into v on origin k's tree, and its tail's position
        pred = p_block.ravel().astype(np.int64)
        on_tree = pred >= 0
        heads = np.tile(np.arange(n, dtype=np.int64), len(chunk))
        pred_arc = np.full(pred.shape, -1, dtype=np.int64)
        pred_arc[on_tree] = csr.arcs_between(pred[on_tree], heads[on_tree], n)
        pred_pos = pred + np.repeat(np.arange(len(chunk), dtype=np.int64) * n, n)
        # every demand still walking steps one hop back towards its origin per iteration;
        # finished demands drop out, so the work is the total number of hops
        pos = local * n + destinations[rows]
        walking = rows
        back = 0
        while len(pos):
            arc = pred_arc[pos]
            moving = arc >= 0
            if not moving.all():
                pos, walking, arc = pos[moving], walking[moving], arc[moving]
                if not len(pos):
                    break
            step_rows.append(walking)
            step_back.append(np.full(len(walking), back, dtype=np.int64))
            step_arcs.append(arc)
            pos = pred_pos[pos]
            back += 1
    if not step_rows:
        return PathSet(np.zeros((n_dem, 0), dtype=np.int64), hops, dist)
    all_rows = np.concatenate(step_rows)
    all_back = np.concatenate(step_back)
    hops = np.bincount(all_rows, minlength=n_dem).astype(np.int64)
    width = int(hops.max())
    flat = np.full(n_dem * width, -1, dtype=np.int64)
    # back-step j of a path with h hops is its (h - 1 - j)-th arc in travel order
    flat[all_rows * width + hops[all_rows] - 1 - all_back] = np.concatenate(step_arcs)
    arcs = flat.reshape(n_dem, width)
    return PathSet(arcs, hops, dist)


def concat_paths(first: PathSet, second: PathSet) -> PathSet:
    """Join two legs per demand (e.g. origin -> hub and hub -> destination)."""
    n_dem = len(first)
    width = first.arcs.shape[1] + second.arcs.shape[1]
    arcs = np.full((n_dem, width), -1, dtype=np.int64)
    if first.arcs.shape[1]:
        arcs[:, : first.arcs.shape[1]] = first.arcs
    rows = np.repeat(np.arange(n_dem), second.arcs.shape[1])
    cols = (first.hops[:, None] + np.arange(second.arcs.shape[1])[None, :]).ravel()
    vals = second.arcs.ravel()
    keep = vals >= 0
    arcs[rows[keep], cols[keep]] = vals[keep]
    return PathSet(arcs, first.hops + second.hops, first.dist + second.dist)


def arc_loads(paths: PathSet, volumes: np.ndarray, n_arcs: int) -> np.ndarray:
    """Sum each demand's volume over the arcs of its path, shape (n_arcs,)."""
    if paths.arcs.size == 0:
        return np.zeros(n_arcs)
    valid = paths.arcs >= 0
    arcs = paths.arcs[valid]  # row by row: each path's arcs in order
    weights = np.repeat(np.asarray(volumes, dtype=float), valid.sum(axis=1))
    return np.bincount(arcs, weights=weights, minlength=n_arcs)
