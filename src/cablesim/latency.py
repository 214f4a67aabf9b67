"""The latency model: what a path's round-trip time is made of, with few parameters.

A path's RTT is modelled as

    RTT = 2 x [ sum over links of ( fibre(length x f_kind) + equipment ) + h x N ] + c

- ``fibre(L)`` is the propagation time of ``L`` km of fibre (group index 1.4682);
- ``f_kind`` stretches the route lengths: for submarine cables each system's stated length
  over its drawn segments (``stated_lengths``), times ``subsea_factor`` (slack laid on the
  sea bed), and
  ``terrestrial_factor`` for land routes (conduits follow roads and rail, and the topology's
  land lengths are great circles x 1.3);
- ``equipment`` is each link's terminal allowance (``equipment_latency_ms``, 0.1 ms);
- ``N`` counts the interconnection points the path passes (cities, hubs and IXPs, the two
  ends counting half each) and ``h`` is the one-way delay at each (routers, the PoP fabric);
- ``c`` is a round-trip overhead of every path (end hosts, data-centre fabric, access).

The parameters are a study's ``[latency]`` table (:class:`LatencyModel`); the defaults are
the plain physics (no stretch, no overheads). ``cablesim calibrate latency`` fits them on
measured RTTs (:mod:`cablesim.experiment.latency_fit`, ``docs/latency.md``). Routing sees the
same latencies, so the parameters can change paths too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cablesim.settings import setting

__all__ = ["LatencyModel", "INTERCONNECTION_KINDS", "SUBSEA_KINDS", "LAND_KINDS"]

INTERCONNECTION_KINDS = ("city", "hub", "ixp")
"""Node kinds where networks interconnect (and a path pays ``node_overhead_ms``)."""

SUBSEA_KINDS = ("submarine",)
"""Link kinds stretched by ``subsea_factor``."""

LAND_KINDS = ("terrestrial", "metro")
"""Link kinds stretched by ``terrestrial_factor``."""


@dataclass(frozen=True)
class LatencyModel:
    """The ``[latency]`` table of a study: the parameters of the RTT model."""

    stated_lengths: bool = setting(
        False, doc="Scale each submarine system's segments so that their total is the "
        "system's stated length (links' system_length_km): drawn routes run short.")
    subsea_factor: float = setting(
        1.0, low=1.0, high=2.0, doc="Multiplier on submarine route lengths (cable slack on "
        "the sea bed, and drawn routes shorter than the stated lengths).")
    terrestrial_factor: float = setting(
        1.0, low=1.0, high=3.0, doc="Multiplier on terrestrial and metro lengths (conduits "
        "along roads and rail beyond the topology's route factor).")
    node_overhead_ms: float = setting(
        0.0, low=0.0, high=20.0, unit="ms", doc="One-way delay per interconnection point a "
        "path passes (city, hub, IXP; the two ends count half each).")
    path_overhead_ms: float = setting(
        0.0, low=0.0, high=50.0, unit="ms", doc="Round-trip delay added to every path (end "
        "hosts, data-centre fabric, access).")
    source: str = setting("", doc="How the values were obtained (e.g. the calibration "
                          "command, the data and the date).")

    @property
    def is_identity(self) -> bool:
        """Plain physics: no stretch and no overheads."""
        return (not self.stated_lengths and self.subsea_factor == 1.0
                and self.terrestrial_factor == 1.0 and self.node_overhead_ms == 0.0
                and self.path_overhead_ms == 0.0)

    def link_latency_ms(self, links: pd.DataFrame, nodes: pd.DataFrame) -> np.ndarray:
        """One-way latency of each link under the model, ms (the topology's ``latency_ms``
        when the model is the identity)."""
        base = links["latency_ms"].to_numpy(dtype=float)
        if self.is_identity:
            return base
        equipment = links["equipment_latency_ms"].to_numpy(dtype=float)
        kind = links["kind"].to_numpy(dtype=object)
        subsea = np.isin(kind, SUBSEA_KINDS)
        factor = np.where(subsea, self.subsea_factor,
                          np.where(np.isin(kind, LAND_KINDS), self.terrestrial_factor, 1.0))
        if self.stated_lengths:
            factor = factor * stated_length_scale(links)
        propagation = (base - equipment) * factor
        interconnect = nodes["kind"].isin(INTERCONNECTION_KINDS)
        ends = (links["from_node"].map(interconnect).fillna(False).to_numpy(dtype=float)
                + links["to_node"].map(interconnect).fillna(False).to_numpy(dtype=float))
        return propagation + equipment + 0.5 * self.node_overhead_ms * ends


def stated_length_scale(links: pd.DataFrame) -> np.ndarray:
    """Per link: a submarine system's stated length over the total of its segments in the
    topology, where that is above 1 (1 where the system states none or a shorter length, and
    for links that are not submarine)."""
    scale = np.ones(len(links))
    if "system_length_km" not in links.columns:
        return scale
    kind = links["kind"].to_numpy(dtype=object)
    stated = pd.to_numeric(links["system_length_km"], errors="coerce")
    system = links["tg_cable_id"] if "tg_cable_id" in links.columns else links["system"]
    key = system.where(system.notna() & (system != ""), links["system"])
    drawn = links["length_km"].groupby(key).transform("sum")
    ratio = (stated / drawn).to_numpy(dtype=float)
    # only stretched: a stated length below the drawn one (some count only part of a
    # system) would put segments below their great circle
    use = np.isin(kind, SUBSEA_KINDS) & np.isfinite(ratio) & (ratio > 1.0)
    scale[use] = ratio[use]
    return scale


def rtt_parts(model: LatencyModel, links: pd.DataFrame, nodes: pd.DataFrame, *,
              edges: np.ndarray | None = None) -> dict[str, float]:
    """The round trip of a path split into its parts, ms.

    Parameters
    ----------
    model : LatencyModel
    links : DataFrame
        The whole link table of the network: the model scales a system's segments by the
        system's stated length over all its segments, so a path's own links alone would
        stretch them to the whole system's length.
    nodes : DataFrame
    edges : ndarray of int, optional
        Positions in ``links`` of the path's links, in any order, a link as often as the
        path uses it (default: every link once).

    Returns
    -------
    dict
        ``propagation_ms`` (fibre, stretched by the model; satellite hops as they are),
        ``equipment_ms`` (terminal allowances), ``interconnection_ms`` (``node_overhead_ms``
        per interconnection point), ``path_overhead_ms`` and ``rtt_ms``, their sum; every
        part is a round trip.
    """
    identity = LatencyModel()
    take = np.arange(len(links)) if edges is None else np.asarray(edges, dtype=np.int64)
    with_model = model.link_latency_ms(links, nodes)[take]
    equipment = links["equipment_latency_ms"].to_numpy(dtype=float)[take]
    no_nodes = LatencyModel(stated_lengths=model.stated_lengths,
                            subsea_factor=model.subsea_factor,
                            terrestrial_factor=model.terrestrial_factor)
    stretched = (no_nodes.link_latency_ms(links, nodes) if not no_nodes.is_identity
                 else identity.link_latency_ms(links, nodes))[take]
    propagation = float((stretched - equipment).sum())
    interconnection = float((with_model - stretched).sum())
    parts = {"propagation_ms": 2.0 * propagation, "equipment_ms": 2.0 * float(equipment.sum()),
             "interconnection_ms": 2.0 * interconnection,
             "path_overhead_ms": model.path_overhead_ms}
    parts["rtt_ms"] = sum(parts.values())
    return parts


__all__ += ["rtt_parts", "stated_length_scale"]
