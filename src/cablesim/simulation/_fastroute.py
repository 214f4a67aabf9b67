"""Private helpers of the incremental router: one Dijkstra call per event.

Every transit group ``g`` (row of ``SimModel.group_masks``) is a block of a block-diagonal
"super graph" on ``G x n`` nodes (node ``v`` of group ``g`` is ``g * n + v``), so the legs of
all the commodities an event re-routes, in every group, are searched by a single
``scipy.sparse.csgraph.dijkstra`` call (its fixed cost dominates small searches). The
matrix holds every (group, arc) entry that can ever be in service, sorted as
``ArcGraph.csr`` sorts them (per ordered node pair: cheapest first, then lowest arc id);
entries out of service get weight inf and searches run with ``limit=FINITE``, so they are
never relaxed and the matrix is updated in place instead of rebuilt. The search trees and
path weights (summed along the path from its origin) are therefore those of
:func:`cablesim.routing.engine.route_commodities` on ``ArcGraph.csr(weight, mask_g)``.

:class:`ModelCache` keeps what depends on the model only, once per model and process: the
sorted entries, per-candidate node indices, shortest-path distances on the intact network
(lower bounds used to skip repairs that cannot shorten a path) and the intact routing.
Everything in it is a deterministic function of the model, so results do not depend on
which years a process simulated before.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from cablesim.routing.graph import MIN_WEIGHT
from cablesim.simulation.model import SimModel

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
        self.size = size = n_groups * n
        self.masks = masks
        tail = np.concatenate([graph.edge_u, graph.edge_v])
        head = np.concatenate([graph.edge_v, graph.edge_u])
        weight = np.asarray(model.weight, dtype=float)
        arc_weight = np.concatenate([weight, weight])
        # every (group, arc) that can ever be in service and lie on a path between two
        # terminals, sorted as ArcGraph.csr sorts them
        usable = masks & np.isfinite(weight)[None, :]
        usable &= _not_dead_end(graph.edge_u, graph.edge_v, usable, n, _terminals(model))
        g_idx, arc = np.nonzero(np.concatenate([usable, usable], axis=1))
        w = np.maximum(arc_weight[arc], MIN_WEIGHT)
        rows = g_idx * n + tail[arc]
        cols = g_idx * n + head[arc]
        keys = rows * size + cols
        order = np.lexsort((arc, w, keys))
        self.e_key = keys[order]
        # slot of the entry's (tail, head) pair in the key -> entry tables, which hold the
        # diagonal blocks only (a search tree stays in its group): g * n * n + u * n + v
        self.e_slot = (g_idx * (n * n) + tail[arc] * n + head[arc])[order]
        self.e_row = rows[order]
        self.e_col = cols[order].astype(np.int32)
        self.e_edge = arc[order] % max(m, 1)
        self.e_w = w[order]
        n_entries = len(order)
        # entry n_entries is a sentinel: weight 0, no edge (walks that reached their root)
        self.w_ext = np.append(self.e_w, 0.0)
        self.edge_ext = np.append(self.e_edge, -1)
        # latency per edge, then 0 for the padding -1 of paths
        self.lat_ext = np.append(np.asarray(model.latency, dtype=float), 0.0)
        first = np.ones(n_entries, dtype=bool)
        first[1:] = self.e_key[1:] != self.e_key[:-1]
        self.key_start = np.flatnonzero(first)
        self.key_end = np.append(self.key_start[1:], n_entries)
        self.key_of_entry = np.cumsum(first) - 1
        # the entries of each edge (CSR-like)
        by_edge = np.argsort(self.e_edge, kind="stable")
        self.edge_ptr = np.searchsorted(self.e_edge[by_edge], np.arange(m + 1))
        self.edge_entries = by_edge
        # (tail, head) key -> entry in service, for the intact network
        self.intact_alive = np.asarray(model.enabled, dtype=bool).copy()
        self.n_entries = n_entries
        # the smallest integer type that holds the sentinel (a smaller table for walks)
        dtype = np.int16 if n_entries < np.iinfo(np.int16).max else np.int32
        self.entry0 = np.full(n_groups * n * n, n_entries, dtype=dtype)
        alive_entry = self.intact_alive[self.e_edge]
        pos = self._first_alive(np.arange(len(self.key_start)), alive_entry)
        self.entry0[self.e_slot[self.key_start]] = pos
        # a walk at its root
        self.entry0[(np.arange(n_groups)[:, None] * (n * n)
                     + np.arange(n)[None, :] * (n + 1)).ravel()] = n_entries
        self.entry0.flags.writeable = False
        # candidates (all of them): super nodes of origin, destination and hub
        cand_com = np.repeat(np.arange(model.n_commodities), np.diff(model.cand_start))
        base = model.cand_group * n
        self.cand_com = cand_com
        self.cand_first = model.cand_start[:-1].copy()
        self.c_o = base + model.origin[cand_com]
        self.c_t = base + model.destination[cand_com]
        self.c_hub = model.cand_via >= 0
        self.c_h = base + np.maximum(model.cand_via, 0)
        self.c_group = np.asarray(model.cand_group, dtype=np.int64)
        # flat indices into (G, n) tables of distances from one node per group (row g holds
        # the distances within block g, so a super node's index is its flat index)
        self.f_o, self.f_t, self.f_h = self.c_o, self.c_t, self.c_h
        # intact-network distances per super node to the nodes of its own block (rows filled
        # on demand; a search never leaves its block): lower bounds for every state of the
        # network. (size, n), not (size, size): with many transit groups the full square
        # would grow with the square of their number.
        self._intact_csr: Any = None
        self._intact_blocks: dict[int, Any] = {}
        self.d0 = np.full((size, n), np.nan)
        self.d0_known = np.zeros(size, dtype=bool)
        hubs = self.c_h[self.c_hub]
        d0h = self.intact_rows(hubs)
        self.c_d0_ho = np.full(len(cand_com), np.inf)
        self.c_d0_ht = np.full(len(cand_com), np.inf)
        local_o = (self.c_o - self.c_group * n)[self.c_hub]
        local_t = (self.c_t - self.c_group * n)[self.c_hub]
        self.c_d0_ho[self.c_hub] = d0h[np.arange(len(hubs)), local_o]
        self.c_d0_ht[self.c_hub] = d0h[np.arange(len(hubs)), local_t]
        self.initial: dict[str, np.ndarray] | None = None
        self._bounds: dict[int, np.ndarray] = {}
        self._edge_keys: dict[int, np.ndarray] = {}

    def repair_bound(self, model: SimModel, e: int) -> np.ndarray:
        """Per commodity, a lower bound on the weight (with surcharge) of any path through
        edge ``e``: ``w_e + min(d(o,u) + d(v,t), d(o,v) + d(u,t))``, through the hub per
        leg, with ``d`` the intact-network distances of the candidate's transit group."""
        bound = self._bounds.get(e)
        if bound is not None:
            return bound
        graph = model.graph
        g = self.c_group
        if np.isfinite(model.weight[e]):
            w = max(float(model.weight[e]), MIN_WEIGHT)
            groups = np.arange(self.n_groups) * self.n
            du = self.intact_rows(groups + graph.edge_u[e]).ravel()  # (G x n)
            dv = self.intact_rows(groups + graph.edge_v[e]).ravel()
            du_o, du_t, du_h = du[self.f_o], du[self.f_t], du[self.f_h]
            dv_o, dv_t, dv_h = dv[self.f_o], dv[self.f_t], dv[self.f_h]
            direct = w + np.minimum(du_o + dv_t, dv_o + du_t)
            via = np.minimum(w + np.minimum(du_o + dv_h, dv_o + du_h) + self.c_d0_ht,
                             self.c_d0_ho + w + np.minimum(du_h + dv_t, dv_h + du_t))
            cand = np.where(self.masks[g, e], np.where(self.c_hub, via, direct), np.inf)
        else:
            cand = np.full(len(g), np.inf)
        bound = np.minimum.reduceat(cand + model.cand_surcharge, self.cand_first)
        bound.flags.writeable = False
        self._bounds[e] = bound
        return bound

    def prepare(self, model: SimModel) -> None:
        """Compute now what is otherwise computed on first use: the intact-network
        distances from every end of a link that can fail and the repair bound of every
        such link (one search call, then per-link arithmetic)."""
        graph = model.graph
        fails = np.flatnonzero(np.asarray(model.enabled, dtype=bool)
                               & (model.faults.rate_per_h > 0))
        groups = np.arange(self.n_groups)[:, None] * self.n
        ends = np.concatenate([groups + graph.edge_u[fails][None, :],
                               groups + graph.edge_v[fails][None, :]]).ravel()
        self.intact_rows(ends)
        for e in fails.tolist():
            self.repair_bound(model, e)

    def _first_alive(self, key_ids: np.ndarray, alive_entry: np.ndarray) -> np.ndarray:
        """The first entry in service of each key (the sentinel when there is none)."""
        pos = self.key_start[key_ids].copy()
        end = self.key_end[key_ids]
        dead = ~alive_entry[pos]
        while dead.any():  # parallel arcs out of service: the next entry of the same key
            pos[dead] += 1
            over = dead & (pos >= end)
            pos[over] = self.n_entries
            dead = dead & ~over
            dead[dead] = ~alive_entry[pos[dead]]
        return pos

    def matrix(self, alive: np.ndarray) -> Any:
        """A fresh super graph with the entries out of service at weight inf."""
        counts = np.bincount(self.e_row, minlength=self.size)
        indptr = np.zeros(self.size + 1, dtype=np.int32)
        np.cumsum(counts, out=indptr[1:])
        data = np.where(alive[self.e_edge], self.e_w, np.inf)
        return sp.csr_matrix((data, self.e_col, indptr), shape=(self.size, self.size))

    def entries_of(self, edges: np.ndarray) -> np.ndarray:
        """Entries of the given edges."""
        if len(edges) == 1:
            e = int(edges[0])
            return self.edge_entries[self.edge_ptr[e]:self.edge_ptr[e + 1]]
        return np.concatenate([self.edge_entries[self.edge_ptr[e]:self.edge_ptr[e + 1]]
                               for e in edges.tolist()])

    def update_entries(self, table: np.ndarray, data: np.ndarray, edges: np.ndarray,
                       alive: np.ndarray) -> None:
        """Bring ``table`` (pair slot -> entry, see ``e_slot``) and ``data`` (weights) up
        to date after a change of the links ``edges``."""
        entries = self.entries_of(edges)
        if not len(entries):
            return
        if len(edges) == 1:
            e = int(edges[0])
            on = bool(alive[e])
            data[entries] = self.e_w[entries] if on else np.inf
            key_ids = self._edge_keys.get(e)
            if key_ids is None:
                key_ids = np.unique(self.key_of_entry[entries])
                if (self.key_end[key_ids] - self.key_start[key_ids] == 1).all():
                    key_ids = None  # no parallel arc: each entry is its key's only one
                self._edge_keys[e] = key_ids if key_ids is not None else entries[:0]
            if key_ids is None or not len(key_ids):
                table[self.e_slot[entries]] = entries if on else self.n_entries
                return
        else:
            data[entries] = np.where(alive[self.e_edge[entries]], self.e_w[entries], np.inf)
            key_ids = np.unique(self.key_of_entry[entries])
        pos = self.key_start[key_ids].copy()
        end = self.key_end[key_ids]
        dead = ~alive[self.e_edge[pos]]
        while dead.any():  # parallel arcs out of service: the next entry of the same key
            pos[dead] += 1
            over = dead & (pos >= end)
            pos[over] = self.n_entries
            dead = dead & ~over
            dead[dead] = ~alive[self.e_edge[pos[dead]]]
        table[self.e_slot[self.key_start[key_ids]]] = pos

    def intact_rows(self, nodes: np.ndarray) -> np.ndarray:
        """Distances on the intact network from super nodes ``nodes`` to the nodes of
        their own block, shape (k, n)."""
        known = self.d0_known[nodes]
        if not known.all():
            missing = np.unique(nodes[~known])
            if self._intact_csr is None:
                self._intact_csr = self.matrix(self.intact_alive)
            n = self.n
            for g in np.unique(missing // n).tolist():
                rows = missing[missing // n == g]
                block = self._intact_blocks.get(g)
                if block is None:
                    block = self._intact_csr[g * n:(g + 1) * n, g * n:(g + 1) * n]
                    self._intact_blocks[g] = block
                self.d0[rows] = dijkstra(block, directed=True, indices=rows - g * n,
                                         limit=FINITE)
            self.d0_known[missing] = True
        return self.d0[nodes]


def _terminals(model: SimModel) -> np.ndarray:
    """Nodes where a leg starts or ends: origins, destinations and hubs."""
    terminal = np.zeros(model.graph.n_nodes, dtype=bool)
    terminal[model.origin] = True
    terminal[model.destination] = True
    terminal[model.cand_via[model.cand_via >= 0]] = True
    return terminal


def _not_dead_end(edge_u: np.ndarray, edge_v: np.ndarray, usable: np.ndarray, n: int,
                  terminal: np.ndarray) -> np.ndarray:
    """Per group, the usable edges outside dead ends: a non-terminal node left with one
    neighbour (repeatedly) cannot be on a shortest path between terminals (it would be
    entered and left through the same node), so searches need not visit it. Distances
    and trees between the remaining nodes are unchanged."""
    keep = usable.copy()
    for g in range(len(usable)):
        on = keep[g]
        while True:
            u, v = edge_u[on], edge_v[on]
            # neighbours (parallel edges count once), self-loops ignored
            pair = np.unique(np.sort(np.stack([u, v], axis=1), axis=1), axis=0)
            pair = pair[pair[:, 0] != pair[:, 1]]
            degree = np.bincount(pair.ravel(), minlength=n)
            dead = (degree <= 1) & ~terminal
            drop = on & (dead[edge_u] | dead[edge_v])
            if not drop.any():
                break
            on = on & ~drop
        keep[g] = on
    return keep


def candidates(model: SimModel, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                           np.ndarray]:
    """Candidate indices of ``rows`` (flattened), their owner position and row offsets."""
    starts = model.cand_start[rows]
    counts = model.cand_start[rows + 1] - starts
    offsets = np.cumsum(counts) - counts
    owner = np.repeat(np.arange(len(rows)), counts)
    cidx = np.repeat(starts - offsets, counts) + np.arange(int(counts.sum()))
    return cidx, owner, offsets
