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
    tail = graph.arc_tail
    # back-walk arrays filled chunk by chunk
    back_arcs: list[list[np.ndarray]] = []
    rows_of_chunk: list[np.ndarray] = []
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start:start + _CHUNK]
        d_block, p_block = dijkstra(csr.matrix, directed=True, indices=chunk,
                                    return_predecessors=True)
        rows = np.flatnonzero((group >= start) & (group < start + len(chunk)))
        local = group[rows] - start
        dist[rows] = d_block[local, destinations[rows]]
        # the arc into every node from its predecessor, once per origin tree
        k_idx, v_idx = np.nonzero(p_block >= 0)
        pred_arc = np.full(p_block.shape, -1, dtype=np.int64)
        pred_arc[k_idx, v_idx] = csr.arcs_between(p_block[k_idx, v_idx], v_idx, n)
        cur = destinations[rows].copy()
        walk: list[np.ndarray] = []
        while True:  # every demand steps one hop back towards its origin per iteration
            step = pred_arc[local, cur]
            moving = step >= 0
            if not moving.any():
                break
            walk.append(step)
            cur = np.where(moving, tail[step], cur)
        back_arcs.append(walk)
        rows_of_chunk.append(rows)
    width = max((len(w) for w in back_arcs), default=0)
    arcs = np.full((n_dem, width), -1, dtype=np.int64)
    hops = np.zeros(n_dem, dtype=np.int64)
    for walk, rows in zip(back_arcs, rows_of_chunk):
        if not walk:
            continue
        back = np.stack(walk, axis=1)  # destination-first order
        h = (back >= 0).sum(axis=1)
        hops[rows] = h
        # reverse the first h entries of each row into travel order (one gather)
        src_col = h[:, None] - 1 - np.arange(back.shape[1])[None, :]
        fwd = np.take_along_axis(back, np.maximum(src_col, 0), axis=1)
        fwd[src_col < 0] = -1
        arcs[rows, : back.shape[1]] = fwd
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
    mask = paths.arcs >= 0
    weights = np.broadcast_to(np.asarray(volumes, dtype=float)[:, None], paths.arcs.shape)
    return np.bincount(paths.arcs[mask], weights=weights[mask], minlength=n_arcs)
