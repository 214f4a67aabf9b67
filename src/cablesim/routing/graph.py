"""Array view of a network for the routing engines.

Links become edges ``0..m-1`` with integer end nodes; each edge has two arcs, ``e`` (from
``edge_u`` to ``edge_v``) and ``e + m`` (the reverse), so per-direction loads and capacities
are arrays of length ``2m``. Shortest-path searches run on a ``scipy.sparse`` CSR matrix that
keeps, for each ordered node pair, the cheapest enabled arc (parallel systems between the
same nodes are resolved there and mapped back to their arc ids).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from cablesim.network import Network

__all__ = ["ArcGraph", "WeightedCSR", "MIN_WEIGHT"]

_DENSE_LOOKUP_MAX_NODES = 2048
"""Up to this many nodes, (tail, head) -> arc lookups use a dense n x n table (32 MiB at
most) instead of a binary search."""

MIN_WEIGHT = 1e-9
"""Weights are floored at this value: scipy's csgraph drops explicit zeros."""


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class WeightedCSR:
    """A CSR adjacency for one weight vector, with the arc chosen for each node pair.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        ``n x n`` weights of the cheapest enabled arc per ordered node pair.
    pair_keys : ndarray of int64
        Sorted keys ``tail * n + head`` of the pairs in ``matrix``.
    pair_arcs : ndarray of int64
        The arc id behind each key in ``pair_keys``.
    """

    matrix: sp.csr_matrix
    pair_keys: np.ndarray
    pair_arcs: np.ndarray
    dense: np.ndarray | None = None

    def arcs_between(self, tails: np.ndarray, heads: np.ndarray, n_nodes: int) -> np.ndarray:
        """Arc ids of the chosen arcs from ``tails`` to ``heads`` (vectorised)."""
        keys = tails.astype(np.int64) * n_nodes + heads.astype(np.int64)
        if self.dense is not None:
            return self.dense[keys]
        pos = np.searchsorted(self.pair_keys, keys)
        return self.pair_arcs[pos]


@dataclass(frozen=True)
class ArcGraph:
    """Integer arrays describing a network's nodes, edges and arcs.

    Attributes
    ----------
    node_ids : ndarray of object
        Node id of each node index.
    edge_ids : ndarray of object
        Link id of each edge index.
    edge_u, edge_v : ndarray of int64
        End-node indices of each edge (``from_node``, ``to_node``).
    node_index : dict of str to int
        Node id to node index.
    edge_index : dict of str to int
        Link id to edge index.
    """

    node_ids: np.ndarray
    edge_ids: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    node_index: dict[str, int] = field(repr=False)
    edge_index: dict[str, int] = field(repr=False)

    @classmethod
    def from_network(cls, network: Network) -> ArcGraph:
        """Build the array view of ``network`` (nodes and links in table order)."""
        node_ids = np.asarray(network.nodes.index, dtype=object)
        node_index = {nid: i for i, nid in enumerate(node_ids)}
        edge_ids = np.asarray(network.links.index, dtype=object)
        edge_u = np.fromiter((node_index[a] for a in network.links["from_node"]), np.int64,
                             len(edge_ids))
        edge_v = np.fromiter((node_index[b] for b in network.links["to_node"]), np.int64,
                             len(edge_ids))
        return cls(node_ids, edge_ids, edge_u, edge_v, node_index,
                   {eid: i for i, eid in enumerate(edge_ids)})

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @property
    def n_edges(self) -> int:
        """Number of edges (links)."""
        return len(self.edge_ids)

    @cached_property
    def arc_tail(self) -> np.ndarray:
        """Tail node of each of the ``2m`` arcs (computed once, read-only)."""
        return _read_only(np.concatenate([self.edge_u, self.edge_v]))

    @cached_property
    def arc_head(self) -> np.ndarray:
        """Head node of each of the ``2m`` arcs (computed once, read-only)."""
        return _read_only(np.concatenate([self.edge_v, self.edge_u]))

    def arc_edge(self, arcs: np.ndarray) -> np.ndarray:
        """Edge index of each arc id."""
        return np.asarray(arcs) % max(self.n_edges, 1)

    def nodes_of(self, ids: list[str] | np.ndarray) -> np.ndarray:
        """Node indices of node ids (raises ``KeyError`` on an unknown id)."""
        return np.fromiter((self.node_index[i] for i in ids), np.int64, len(ids))

    def csr(self, edge_weight: np.ndarray, enabled: np.ndarray | None = None) -> WeightedCSR:
        """CSR adjacency for per-edge weights (both directions), over enabled edges.

        Parameters
        ----------
        edge_weight : ndarray, shape (m,) or (2m,)
            Non-negative weight per edge (the same both ways) or per arc.
        enabled : ndarray of bool, shape (m,) or (2m,), optional
            Edges or arcs that may be used; all by default.
        """
        m, n = self.n_edges, self.n_nodes
        weight = np.asarray(edge_weight, dtype=float)
        arc_weight = np.concatenate([weight, weight]) if weight.shape[0] == m else weight
        if enabled is None:
            arc_on = np.ones(2 * m, dtype=bool)
        else:
            enabled = np.asarray(enabled, dtype=bool)
            arc_on = np.concatenate([enabled, enabled]) if enabled.shape[0] == m else enabled
        arcs = np.flatnonzero(arc_on & np.isfinite(arc_weight))
        tails, heads = self.arc_tail[arcs], self.arc_head[arcs]
        w = np.maximum(arc_weight[arcs], MIN_WEIGHT)
        keys = tails * n + heads
        order = np.lexsort((arcs, w, keys))  # per key: lowest weight, then lowest arc id
        keys, arcs, w = keys[order], arcs[order], w[order]
        first = np.ones(len(keys), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]
        keys, arcs, w = keys[first], arcs[first], w[first]
        matrix = sp.csr_matrix((w, (keys // n, keys % n)), shape=(n, n))
        dense = None
        if n <= _DENSE_LOOKUP_MAX_NODES:
            dense = np.full(n * n, -1, dtype=np.int64)
            dense[keys] = arcs
        return WeightedCSR(matrix, keys, arcs, dense)
