"""A study's data files checked against the topology it runs on.

The study file loads its tables when it is read (:func:`cablesim.study.load_study`), but only
the topology knows which countries, nodes and systems they may name. :func:`check_study_data`
reads them against it once, for ``cablesim validate`` and ``cablesim run`` alike, so that a
misspelt country does not silently sell transit to all, a misspelt city lose its price or a
misspelt system its lit capacity anchor.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cablesim.demand.balancing import load_bandwidth
from cablesim.lit import load_lit_anchors
from cablesim.markets import load_transit_prices
from cablesim.network import Network
from cablesim.study import Study
from cablesim.transit_roles import load_transit_roles

__all__ = ["StudyData", "check_study_data"]


@dataclass(frozen=True)
class StudyData:
    """What :func:`check_study_data` read: the bandwidth table (None when the study names
    none) and the number of rows of each table checked (None when not checked)."""

    bandwidth: pd.DataFrame | None
    bandwidth_figures: int | None
    lit_anchors: int | None
    transit_roles: int | None
    transit_prices: int | None


def check_study_data(study: Study, network: Network, *, own: bool = True) -> StudyData:
    """Read the study's tables against ``network``, raising located errors.

    Parameters
    ----------
    study : Study
    network : Network
        The topology the study runs on.
    own : bool
        Whether the topology is the study's own. A study used on another topology (the
        China-ASEAN study on the global map) may name countries without nodes there (its
        groups' members are accepted) and systems spelt differently (its lit anchors and
        city prices are not checked).
    """
    known = set(network.countries) | (set() if own else {
        c for g in study.groups.values() for c in g.members})
    bandwidth = (load_bandwidth(study.bandwidth_path, known_countries=known)
                 if study.bandwidth_path is not None else None)
    roles = (len(load_transit_roles(study.transit_roles_path, known_countries=known))
             if study.transit_roles_path is not None else None)
    prices = (len(load_transit_prices(study.market_prices_path,
                                      known_nodes=set(network.nodes.index)))
              if study.market_prices_path is not None and own else None)
    anchors = (len(load_lit_anchors(study.lit_anchors_path,
                                    known_systems=set(network.links["system"].dropna())))
               if study.lit_anchors_path is not None and own else None)
    return StudyData(bandwidth, None if bandwidth is None else len(bandwidth), anchors, roles,
                     prices)
