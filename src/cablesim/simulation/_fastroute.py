"""Private helpers of the incremental router: one Dijkstra call per event.

Every transit group ``g`` (row of ``SimModel.group_masks``) is a block of a block-diagonal
"super graph" on ``G x n`` nodes (node ``v`` of group ``g`` is ``g * n + v``), so the legs of
all the commodities an event re-routes, in every group, are searched by a single
``scipy.sparse.csgraph.dijkstra`` call (its fixed cost, ~80 us, dominates small searches).
Each block holds the same entries, in the same order, as ``ArcGraph.csr(weight, mask_g)``
(for each ordered node pair the cheapest arc, then the lowest arc id), so the search trees,
and the path weights (summed along the path from the source), are those of
:func:`cablesim.routing.engine.route_commodities`.

:class:`ModelCache` keeps what depends on the model only, once per model and process: the
sorted entries of the super graph, shortest-path distances on the intact network (lower
bounds used to skip repairs that cannot shorten a path) and the intact routing itself.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from cablesim.simulation.model import SimModel

_MIN_WEIGHT = 1e-9
"""As ``cablesim.routing.graph._MIN_WEIGHT``: weights are floored at this value."""

FINITE = float(np.finfo(float).max)
"""Search limit that keeps the entries out of service (weight inf) from being relaxed."""

_CACHES: dict[int, ModelCache] = {}


def model_cache(model: SimModel) -> ModelCache:
    """The cache of ``model`` (built on first use; dropped with the model)."""
    key = id(model)
    cache = _CACHES.get(key)
    if cache is None or cache.model_ref() is not model:
        cache = ModelCache(model)
        _CACHES[key] = cache
        weakref.finalize(model, _CACHES.pop, key, None)
    return cache


class ModelCache:
    """Model-only data of the incremental router (see the module docstring)."""

    def __init__(self, model: SimModel) -> None:
        self.model_ref = weakref.ref(model)
        graph = model.graph
        n, m = graph.n_nodes, graph.n_edges
        masks = np.asarray(model.group_masks, dtype=bool) & np.asarray(model.enabled)[None, :]
        n_groups = len(masks)
        self.n, self.m, self.n_groups = n, m, n_groups
        self.size = n_groups * n
        tail = np.concatenate([graph.edge_u, graph.edge_v])
        head = np.concatenate([graph.edge_v, graph.edge_u])
        weight = np.asarray(model.weight, dtype=float)
        arc_weight = np.concatenate([weight, weight])
        # every (group, arc) that can ever be in service, sorted as ArcGraph.csr sorts them
        g_idx, arc = np.nonzero(np.concatenate([masks, masks], axis=1)
                                & np.isfinite(arc_weight)[None, :])
        w = np.maximum(arc_weight[arc], _MIN_WEIGHT)
        rows = g_idx * n + tail[arc]
        cols = g_idx * n + head[arc]
        keys = rows * self.size + cols
        order = np.lexsort((arc, w, keys))
        self.e_key = keys[order]
        self.e_row = rows[order]
        self.e_col = cols[order].astype(np.int32)
        self.e_arc = arc[order]
        self.e_edge = self.e_arc % max(m, 1)
        self.e_w = w[order]
        # intact-network distances per super node (filled on demand), lower bounds for
        # every state of the network
        self.intact_alive = np.asarray(model.enabled, dtype=bool).copy()
        self._intact_csr: Any = None
        self.d0 = np.full((self.size, self.size), np.nan)
        self.d0_known = np.zeros(self.size, dtype=bool)
        self.initial: dict[str, np.ndarray] | None = None

    # ------------------------------------------------------------------ graphs
    def csr(self, alive: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray]:
        """The super graph over the links ``alive``: (matrix, sorted keys, arc of each)."""
        sel = np.flatnonzero(alive[self.e_edge])
        keys = self.e_key[sel]
        first = np.ones(len(sel), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        sel = sel[first]
        counts = np.bincount(self.e_row[sel], minlength=self.size)
        indptr = np.zeros(self.size + 1, dtype=np.int32)
        np.cumsum(counts, out=indptr[1:])
        matrix = sp.csr_matrix((self.e_w[sel], self.e_col[sel], indptr),
                               shape=(self.size, self.size))
        return matrix, self.e_key[sel], self.e_arc[sel]

    def full_matrix(self) -> Any:
        """A fresh super graph holding every entry (parallel arcs too); the caller sets
        the weights of the entries out of service to inf and searches with
        ``limit=FINITE`` so that they are never relaxed."""
        counts = np.bincount(self.e_row, minlength=self.size)
        indptr = np.zeros(self.size + 1, dtype=np.int32)
        np.cumsum(counts, out=indptr[1:])
        return sp.csr_matrix((self.e_w.copy(), self.e_col, indptr), shape=(self.size, self.size))

    def entry_arcs(self, keys: np.ndarray, alive: np.ndarray) -> np.ndarray:
        """Arc of each (tail, head) key: the cheapest in service, then the lowest id."""
        pos = np.searchsorted(self.e_key, keys)
        dead = ~alive[self.e_edge[pos]]
        while dead.any():  # a parallel arc out of service: the next one of the same key
            pos[dead] += 1
            dead[dead] = ~alive[self.e_edge[pos[dead]]]
        return self.e_arc[pos]

    def intact_rows(self, nodes: np.ndarray) -> np.ndarray:
        """Distances on the intact network from super nodes ``nodes``, shape (k, size)."""
        nodes = np.asarray(nodes, dtype=np.int64)
        missing = np.unique(nodes[~self.d0_known[nodes]])
        if len(missing):
            if self._intact_csr is None:
                self._intact_csr = self.csr(self.intact_alive)[0]
            self.d0[missing] = dijkstra(self._intact_csr, directed=True, indices=missing)
            self.d0_known[missing] = True
        return self.d0[nodes]


def candidates(model: SimModel, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                           np.ndarray]:
    """Candidate indices of ``rows`` (flattened), their owner position and row offsets."""
    starts = model.cand_start[rows]
    counts = model.cand_start[rows + 1] - starts
    offsets = np.cumsum(counts) - counts
    owner = np.repeat(np.arange(len(rows)), counts)
    cidx = np.repeat(starts - offsets, counts) + np.arange(int(counts.sum()))
    return cidx, owner, offsets
