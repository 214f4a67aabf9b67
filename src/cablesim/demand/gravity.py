"""The gravity model: one law (:func:`gravity_weights`) serving the study's regional demand
(:func:`gravity_demand`) and the global matrix between all countries
(:func:`global_gravity_demand`)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd

from cablesim._errors import DemandError, Problem, did_you_mean
from cablesim.analytics import in_service, international_capacity
from cablesim.demand.countries import _country_users
from cablesim.demand.matrix import DEMAND_OUTPUT_COLUMNS
from cablesim.demand.params import GravityParams, class_totals_gbps
from cablesim.geo import great_circle_km_array
from cablesim.network import Network
from cablesim.study import Study

DEMAND_NODE_KINDS: tuple[str, ...] = ("city", "hub")
"""Node kinds that originate and terminate gravity-model traffic (users live in cities)."""




# ---------------------------------------------------------------------- gravity model
def _demand_nodes(network: Network, users: dict[str, float], problems: list[Problem],
                  study: Study) -> tuple[list[str], dict[str, str], dict[str, float]]:
    """City/hub nodes of the focus and partner groups, sorted by id, with their countries
    and users."""
    nodes = network.nodes
    scope = set(study.focus_members) | set(study.partner_members)
    ids = sorted(str(i) for i, kind, country
                 in zip(nodes.index, nodes["kind"], nodes["country"], strict=True)
                 if kind in DEMAND_NODE_KINDS and country in scope)
    country = {i: str(nodes.at[i, "country"]) for i in ids}
    by_country: dict[str, list[str]] = {}
    for i in ids:
        by_country.setdefault(country[i], []).append(i)
    missing = sorted(c for c in by_country if c not in users)
    if missing:
        problems.append(Problem("countries", None, "internet_users_million",
                                "no Internet users for " + ", ".join(missing)
                                + ", which have city or hub nodes"))
    has_weights = "users_weight" in nodes.columns
    node_users: dict[str, float] = {}
    for code in sorted(by_country):
        members = by_country[code]
        total = users.get(code, 0.0)
        shares = {i: 1.0 / len(members) for i in members}
        if has_weights:
            weights = _users_weights(nodes, members, problems)
            if weights is not None:
                sum_w = math.fsum(weights.values())
                shares = {i: weights[i] / sum_w for i in members}
        for i in members:
            node_users[i] = total * shares[i]
    return ids, country, node_users


def _users_weights(nodes: pd.DataFrame, members: list[str],
                   problems: list[Problem]) -> dict[str, float] | None:
    """Parse the ``users_weight`` of one country's nodes; ``None`` means split equally."""
    raw = {i: nodes.at[i, "users_weight"] for i in members}
    blank = [i for i, v in raw.items()
             if v is None or (isinstance(v, float) and math.isnan(v))
             or (isinstance(v, str) and not v.strip())]
    if len(blank) == len(members):
        return None
    weights: dict[str, float] = {}
    for i, value in raw.items():
        if i in blank:
            problems.append(Problem("nodes", None, "users_weight",
                                    f"node {i!r} has no users_weight while other nodes of its "
                                    "country have one", "give every node of the country a "
                                    "weight, or none"))
            continue
        try:
            x = float(value)
        except (TypeError, ValueError):
            x = math.nan
        if not (math.isfinite(x) and x >= 0):
            problems.append(Problem("nodes", None, "users_weight",
                                    f"node {i!r}: users_weight must be a finite number >= 0, "
                                    f"got {value!r}"))
            continue
        weights[i] = x
    if len(weights) != len(members):
        return None
    if math.fsum(weights.values()) == 0:
        problems.append(Problem("nodes", None, "users_weight",
                                "users_weight of " + ", ".join(members) + " are all zero"))
        return None
    return weights


def _log_power(values: np.ndarray, exponent: float) -> np.ndarray:
    """``exponent * log(values)`` with ``0 ** 0 = 1`` and ``0 ** e = 0`` for ``e > 0``."""
    if exponent == 0.0:
        return np.zeros_like(values)
    with np.errstate(divide="ignore"):
        return exponent * np.log(values)


def gravity_weights(mass_o: np.ndarray, mass_d: np.ndarray, lon_o: np.ndarray,
                    lat_o: np.ndarray, lon_d: np.ndarray, lat_d: np.ndarray, *,
                    origin_exponent: float = 1.0, destination_exponent: float = 1.0,
                    distance_exponent: float = 1.0, min_distance_km: float = 100.0
                    ) -> np.ndarray:
    """The gravity law, one weight per pair: ``m_o ** a * m_d ** b / max(d, d_min) ** gamma``.

    ``d`` is the WGS84 great-circle distance between the ends, km. Computed in logarithms
    and scaled so that the largest weight is 1 (no overflow with large masses or
    exponents); a pair with a zero mass at an end weighs 0, and so does every pair when all
    have a zero mass. The regional model (:func:`gravity_demand`) and the global one
    (:func:`global_gravity_demand`) both spread their totals in proportion to it.
    """
    dist = np.maximum(great_circle_km_array(lon_o, lat_o, lon_d, lat_d), min_distance_km)
    log_w = (_log_power(np.asarray(mass_o, dtype=float), origin_exponent)
             + _log_power(np.asarray(mass_d, dtype=float), destination_exponent)
             - distance_exponent * np.log(dist))
    finite = np.isfinite(log_w)
    if not finite.any():
        return np.zeros(len(log_w))
    return np.where(finite, np.exp(log_w - log_w[finite].max()), 0.0)


def _gravity_class(pairs: list[tuple[str, str]], users: dict[str, float],
                   coords: dict[str, tuple[float, float]], params: GravityParams,
                   target: float, name: str, problems: list[Problem]) -> list[float]:
    """Spread ``target`` Gbps over ``pairs`` by the gravity law; one volume per pair."""
    if target == 0.0:
        return [0.0] * len(pairs)
    if not pairs:
        problems.append(Problem("nodes", None, None,
                                f"no node pairs for the {name} traffic class "
                                f"({target:g} Gbps to place)",
                                "add city or hub nodes of the countries involved, or set the "
                                "class's share to 0"))
        return []
    u_o = np.array([users[o] for o, _ in pairs])
    u_d = np.array([users[d] for _, d in pairs])
    ends_o = np.array([coords[o] for o, _ in pairs], dtype=float)
    ends_d = np.array([coords[d] for _, d in pairs], dtype=float)
    weights = gravity_weights(u_o, u_d, ends_o[:, 0], ends_o[:, 1], ends_d[:, 0], ends_d[:, 1],
                              origin_exponent=params.users_exponent_origin,
                              destination_exponent=params.users_exponent_destination,
                              distance_exponent=params.distance_exponent,
                              min_distance_km=params.min_distance_km)
    if not (weights > 0).any():
        problems.append(Problem("countries", None, "internet_users_million",
                                f"every node pair of the {name} traffic class has zero users "
                                f"at one end ({target:g} Gbps to place)"))
        return []
    scale = target / math.fsum(weights.tolist())
    return (weights * scale).tolist()


def gravity_demand(network: Network, countries: pd.DataFrame,
                   params: GravityParams | None = None, *, study: Study) -> pd.DataFrame:
    """Busy-hour demand between the cities of the study's focus and partner groups (ASEAN
    and China in the China-ASEAN study), and from content hubs.

    Each country's Internet users (``countries["internet_users_million"]``) are split over
    its ``city`` and ``hub`` nodes, equally or in proportion to an optional node column
    ``users_weight``. For ordered pairs ``(i, j)`` of such nodes in different countries the
    raw volume is ``U_i ** a * U_j ** b / max(d_ij, min_distance_km) ** gamma`` with ``d``
    the WGS84 geodesic distance in km; each class is scaled to its share of the calibrated
    total ``T`` (:func:`class_totals_gbps`):

    - ``intra_<focus>`` (``intra_asean``): both ends in the focus group, different
      countries;
    - ``<partner>_<focus>`` (``china_asean``): one end in the partner group, the other in
      the focus group, both directions;
    - ``content``: from each content hub node to every focus-group city/hub node outside
      the hub's country; a region gets its normalised weight of ``content_share * T``,
      split equally over its hub nodes and over the destinations in proportion to their
      users.

    Parameters
    ----------
    network : Network
        Topology whose nodes carry ``kind``, ``country``, ``lon`` and ``lat``.
    countries : DataFrame
        Indexed by ISO alpha-3 code (or with a ``country`` column), with
        ``internet_users_million`` (as from :func:`load_country_indicators`). Every ASEAN
        country and China that has city or hub nodes must be present; the users of a
        country without such nodes are not counted.
    params : GravityParams, optional
        Model parameters (defaults: :class:`GravityParams`).
    study : Study
        Names the focus and partner groups (:mod:`cablesim.study`).

    Returns
    -------
    DataFrame
        Columns :data:`DEMAND_OUTPUT_COLUMNS` (``gbps`` in Gbps); one row per
        (origin, destination, traffic_class) with ``gbps > 0``, sorted by
        (traffic_class, origin, destination). Deterministic: equal inputs give a
        bit-identical table.

    Raises
    ------
    DemandError
        When content hubs are missing from the network (named, with hints), a country's
        users are missing or invalid, a ``users_weight`` is invalid, or a class with a
        positive share has no node pairs (or only zero-user ones) to carry it.
    """
    params = params or GravityParams()
    users, problems = _country_users(countries)
    ids, country, node_users = _demand_nodes(network, users, problems, study)
    targets = class_totals_gbps(params)
    nodes = network.nodes
    node_ids = [str(i) for i in nodes.index]
    regions = [r for r in params.content_hubs if params.content_hub_weights.get(r, 0.0) > 0]
    if params.content_share > 0:
        missing = [h for r in regions for h in params.content_hubs[r] if h not in nodes.index]
        for hub in missing:
            problems.append(Problem("nodes", None, "id",
                                    f"content hub {hub!r} is not a node of the network",
                                    did_you_mean(hub, node_ids)
                                    or "add the node, or edit content_hubs and "
                                    "content_hub_weights"))
    if problems:
        raise DemandError(_demand_summary(network), problems)

    coords = {i: (float(nodes.at[i, "lon"]), float(nodes.at[i, "lat"])) for i in ids}
    focus_set, partner_set = set(study.focus_members), set(study.partner_members)
    asean = [i for i in ids if country[i] in focus_set]
    intra = [(o, d) for o in asean for d in asean if country[o] != country[d]]
    china = [(o, d) for o in ids for d in ids
             if (country[o] in partner_set and country[d] in focus_set)
             or (country[d] in partner_set and country[o] in focus_set)]
    rows: dict[tuple[str, str, str], float] = {}
    for share, name, pairs in (("intra", study.intra_class, intra),
                               ("partner", study.partner_class, china)):
        volumes = _gravity_class(pairs, node_users, coords, params, targets[share], name,
                                 problems)
        for (o, d), v in zip(pairs, volumes, strict=False):  # no volumes after a problem
            row = (name, o, d)
            rows[row] = rows.get(row, 0.0) + v

    if params.content_share > 0:
        weight_sum = math.fsum(params.content_hub_weights[r] for r in regions)
        for region in regions:
            hubs = params.content_hubs[region]
            per_hub = (params.content_hub_weights[region] / weight_sum * targets["content"]
                       / len(hubs))
            for hub in hubs:
                hub_country = nodes.at[hub, "country"]
                dests = [c for c in asean if country[c] != hub_country]
                mass = math.fsum(node_users[c] for c in dests)
                if mass == 0:
                    problems.append(Problem(
                        "nodes", None, None,
                        f"content hub {hub!r} ({region}) has no {study.focus_label} city or "
                        "hub node with "
                        f"users outside its own country to serve ({per_hub:g} Gbps to place)"))
                    continue
                for c in dests:
                    row = ("content", hub, c)
                    rows[row] = rows.get(row, 0.0) + per_hub * node_users[c] / mass
    if problems:
        raise DemandError(_demand_summary(network), problems)

    def country_of(node: str) -> str | None:
        value = nodes.at[node, "country"]
        return None if value is None or (isinstance(value, float) and math.isnan(value)) \
            else str(value)

    records = [(o, d, v, country_of(o), country_of(d), cls)
               for (cls, o, d), v in sorted(rows.items()) if v > 0]
    return _demand_frame(records)


def _demand_summary(network: Network) -> str:
    return (f"cannot build the demand for topology {network.name!r}" if network.name
            else "cannot build the demand")


def _demand_frame(records: Iterable[tuple[object, ...]]) -> pd.DataFrame:
    records = list(records)
    cols = list(zip(*records, strict=True)) if records else [()] * len(DEMAND_OUTPUT_COLUMNS)
    data = {}
    for name, values in zip(DEMAND_OUTPUT_COLUMNS, cols, strict=True):
        data[name] = pd.Series(list(values), dtype=float if name == "gbps" else object)
    return pd.DataFrame(data, columns=list(DEMAND_OUTPUT_COLUMNS))


GLOBAL_DEMAND_TBPS = 100.0
"""Default total of :func:`global_gravity_demand`, Tbps (busy hour, both directions
summed). Estimate: a round figure of the order of the world's used international
bandwidth; no cited global total is in facts-inputs (A7 has only growth rates). In
uncapacitated routing the total only scales loads and costs, not paths or RTTs."""


# ---------------------------------------------------------------------- global model
def demand_nodes(network: Network) -> dict[str, str]:
    """One demand node per country: its ``city:<ISO3>`` node (made by the TeleGeography
    importer) where present, else its city or hub node with the most links."""
    nodes = network.nodes
    links = network.links
    degree: dict[str, int] = defaultdict(int)
    for a, b in zip(links["from_node"], links["to_node"], strict=True):
        degree[str(a)] += 1
        degree[str(b)] += 1
    out: dict[str, str] = {}
    candidates = nodes[nodes["kind"].isin(["city", "hub"])]
    for node_id, country in zip(candidates.index, candidates["country"], strict=True):
        if not isinstance(country, str) or not country:
            continue
        node_id = str(node_id)
        best = out.get(country)
        if node_id == f"city:{country}" or best is None or (
                best != f"city:{country}" and (degree[node_id], node_id) > (degree[best], best)):
            out[country] = node_id
    return dict(sorted(out.items()))


def global_gravity_demand(network: Network, total_gbps: float = GLOBAL_DEMAND_TBPS * 1000.0,
                          distance_exponent: float = 1.0, min_distance_km: float = 100.0,
                          masses: Mapping[str, float] | None = None,
                          connected_only: bool = True,
                          statuses: Sequence[str] = ("existing",)) -> pd.DataFrame:
    """A gravity demand matrix between all countries of a topology.

    Demand from country i to country j (i != j) is

        T_ij = total_gbps x m_i m_j d_ij^-gamma / sum_kl m_k m_l d_kl^-gamma

    between the countries' demand nodes (:func:`demand_nodes`), with d the great-circle
    distance floored at ``min_distance_km``.

    Parameters
    ----------
    network : Network
    total_gbps : float
        Sum of the matrix, Gbps (default :data:`GLOBAL_DEMAND_TBPS` x 1000).
    distance_exponent : float
        gamma (default 1.0, as in :class:`cablesim.demand.GravityParams`: first-order
        distance decay, an estimate).
    min_distance_km : float
        Distance floor, km (default 100, as there).
    masses : mapping of ISO3 to float, optional
        Country weights (e.g. Internet users). Default: the number of international cables
        in service landing in the country (:func:`international_capacity`), a proxy for
        its international traffic (estimate; the public cable data has no traffic).
    connected_only : bool
        Keep only countries whose demand node is in the largest connected component of the
        links in service (others could not be served at all); the countries left out are
        in ``result.attrs["excluded"]``.
    statuses : sequence of str
        Link statuses counted in service for ``masses`` and ``connected_only``.

    Returns
    -------
    DataFrame
        ``origin, destination, gbps, origin_country, destination_country, citation``,
        sorted by origin and destination.

    Raises
    ------
    DemandError
        Bad parameters, or fewer than two countries with a demand node and a mass.
    """
    problems = []
    for name, value, low in (("total_gbps", total_gbps, 0.0),
                             ("distance_exponent", distance_exponent, None),
                             ("min_distance_km", min_distance_km, 0.0)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
                float(value)) or (low is not None and float(value) <= low):
            problems.append(Problem("global_gravity_demand", None, name,
                                    f"must be a finite number{'' if low is None else ' > 0'}, "
                                    f"got {value!r}"))
    if problems:
        raise DemandError("bad gravity parameters", problems)
    nodes_by_country = demand_nodes(network)
    mask = in_service(network, statuses)
    masses_default = masses is None
    if masses is None:
        intl = international_capacity(network, mask)
        masses = {c: float(len(intl.get(c, {}))) for c in nodes_by_country}
    excluded: list[str] = []
    if connected_only:
        g = network.graph()
        keep_links = set(network.links.index[mask])
        sub = nx.Graph()
        sub.add_nodes_from(g.nodes)
        sub.add_edges_from((a, b) for a, b, k in g.edges(keys=True) if k in keep_links)
        largest = max(nx.connected_components(sub), key=len) if len(sub) else set()
        excluded = sorted(c for c, n in nodes_by_country.items() if n not in largest)
    countries = [c for c in nodes_by_country if c not in excluded and masses.get(c, 0.0) > 0]
    excluded += sorted(c for c in nodes_by_country if c not in excluded and c not in countries)
    if len(countries) < 2:
        raise DemandError("no gravity demand", [Problem(
            network.name or "topology", None, None,
            f"{len(countries)} countries have a demand node (city or hub) and a mass; at "
            "least two are needed")])
    ids = [nodes_by_country[c] for c in countries]
    lon = network.nodes.loc[ids, "lon"].to_numpy(dtype=float)
    lat = network.nodes.loc[ids, "lat"].to_numpy(dtype=float)
    m = np.array([float(masses[c]) for c in countries])
    n = len(countries)
    i, j = np.nonzero(~np.eye(n, dtype=bool))
    w = gravity_weights(m[i], m[j], lon[i], lat[i], lon[j], lat[j],
                        distance_exponent=distance_exponent, min_distance_km=min_distance_km)
    gbps = float(total_gbps) * w / w.sum()
    cite = (f"estimate: gravity, {total_gbps / 1000.0:g} Tbps total, masses = "
            f"{'international cables' if masses_default else 'user weights'}, "
            f"distance^-{distance_exponent:g}")
    out = pd.DataFrame({
        "origin": [ids[a] for a in i], "destination": [ids[b] for b in j], "gbps": gbps,
        "origin_country": [countries[a] for a in i],
        "destination_country": [countries[b] for b in j], "citation": cite})
    out = out.sort_values(["origin", "destination"], kind="stable").reset_index(drop=True)
    out.attrs["excluded"] = excluded
    out.attrs["citation"] = (
        f"estimate: global gravity model (cablesim.demand.global_gravity_demand), total "
        f"{total_gbps / 1000.0:g} Tbps (GLOBAL_DEMAND_TBPS: a round figure, no cited global "
        f"total), masses = "
        + ("the number of international cables in service landing in each country (a proxy "
           "for international traffic)" if masses_default else "user-supplied country weights")
        + f", great-circle distance^-{distance_exponent:g} floored at {min_distance_km:g} km")
    return out


__all__ = ["DEMAND_NODE_KINDS", "GLOBAL_DEMAND_TBPS", "gravity_weights", "gravity_demand",
           "demand_nodes", "global_gravity_demand"]
