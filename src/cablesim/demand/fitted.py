"""Demand fitted to each country's cited international bandwidth (``totals = "countries"``).

The users-based gravity model (:func:`cablesim.demand.gravity_demand`) spreads one total
by Internet users, which gives small markets far more traffic than their international
bandwidth could carry and the hubs far too little (docs/demand.md). This model instead

1. takes each study country's international bandwidth in the demand year
   (:func:`country_bandwidth`: cited, interpolated between cited years, grown from the
   nearest cited year at ``cagr``, or, without any figure, estimated from its users);
2. sets its busy-hour *inbound* international traffic to that bandwidth times
   ``peak_utilisation``, less the share a hub country carries for others
   (``hub_transit_share``, Singapore's);
3. spreads it over senders with the gravity law (:func:`cablesim.demand.gravity_weights`,
   masses = those inbound totals, and for the regions outside the study their cited
   bandwidth) and fits the matrix by iterative proportional fitting
   (:func:`balance_groups`) so that every study country receives its total and the US and
   Europe send their cited shares of it.

Within a country, cities get the country's traffic in proportion to ``users_weight`` (or
equally), as in the users-based model. Uploads to regions outside the study are not
modelled: the busy direction of international links into the study is inbound.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cablesim._errors import DemandError, Problem, did_you_mean
from cablesim.demand.balancing import figure_at
from cablesim.demand.countries import _country_users
from cablesim.demand.gravity import _demand_frame, _demand_nodes, _demand_summary, gravity_weights
from cablesim.demand.params import GravityParams
from cablesim.interconnect import interconnection_points
from cablesim.network import Network
from cablesim.study import Study

__all__ = ["TARGET_COLUMNS", "country_bandwidth", "balance_groups", "fitted_demand"]

TARGET_COLUMNS: tuple[str, ...] = (
    "country", "bandwidth_gbps", "bandwidth_basis", "bandwidth_confidence",
    "hub_transit_share", "target_inbound_gbps")
"""Columns of the per-country targets (``demand.attrs["targets"]``): the bandwidth in the
demand year (Gbps), how it was obtained and its confidence class (cited, derived,
estimate), the hub transit share and the busy-hour inbound target (Gbps)."""


def country_bandwidth(table: pd.DataFrame, countries: Sequence[str], year: int, *,
                      cagr: float, users: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Each country's international bandwidth in ``year``, Gbps, with its basis.

    Only figures of ``scope == "national"`` count; several figures of one year: their
    median. The figure of ``year`` itself is *cited*; between two cited years the
    log-linear interpolation is *derived*, and so is the nearest figure grown (or shrunk)
    at ``cagr`` per year to ``year``. A country without any figure gets the median
    bandwidth per Internet user of the others times its own users (*estimate*), or is left
    out when ``users`` is not given.

    Returns
    -------
    DataFrame
        ``country, bandwidth_gbps, bandwidth_basis, bandwidth_confidence``.
    """
    national = table[table["scope"] == "national"] if "scope" in table.columns else table
    rows: list[dict[str, object]] = []
    missing: list[str] = []
    for country in countries:
        by_year = national[national["country"] == country].groupby("year")["gbps"].median()
        if by_year.empty:
            missing.append(country)
            continue
        found = figure_at(by_year, year)
        if found is not None:
            value, y0, y1 = found
            rows.append(_row(country, value, f"cited {year}", "cited") if y0 == y1 else
                        _row(country, value, f"interpolated {y0}-{y1}", "derived"))
            continue
        before = by_year[by_year.index < year]  # figures on one side only: the nearest
        y, g = (int(before.index[-1]), float(before.iloc[-1])) if len(before) else (
            int(by_year.index[0]), float(by_year.iloc[0]))
        value = g * (1.0 + cagr) ** (year - y)
        rows.append(_row(country, value, f"cited {y} grown at {100 * cagr:g}%/yr", "derived"))
    if missing and users:
        per_user = [float(r["bandwidth_gbps"]) / users[str(r["country"])]  # type: ignore[arg-type]
                    for r in rows if users.get(str(r["country"]), 0) > 0]
        if per_user:
            median = float(np.median(per_user))
            for country in missing:
                if users.get(country, 0) > 0:
                    rows.append(_row(country, median * users[country],
                                     f"users x median Gbps per user of {len(per_user)} "
                                     "countries", "estimate"))
    out = pd.DataFrame(rows, columns=list(TARGET_COLUMNS[:4]))
    return out.sort_values("country", kind="stable").reset_index(drop=True)


def _row(country: str, gbps: float, basis: str, confidence: str) -> dict[str, object]:
    return {"country": country, "bandwidth_gbps": gbps, "bandwidth_basis": basis,
            "bandwidth_confidence": confidence}


def balance_groups(seed: np.ndarray, row_groups: Sequence[str], col_groups: Sequence[str],
                   row_totals: Mapping[str, float], col_totals: Mapping[str, float], *,
                   tolerance: float = 1e-9, max_iterations: int = 10_000) -> np.ndarray:
    """Iterative proportional fitting with totals per *group* of rows and columns.

    Rows (columns) of one group share a factor; a group without a total is free (its
    factor stays 1). Each round scales the constrained row groups, then the constrained
    column groups, until every given total holds within ``tolerance`` (relative).

    Parameters
    ----------
    seed : ndarray, shape (n, m)
        Non-negative weights.
    row_groups, col_groups : sequence of str
        The group of each row and column.
    row_totals, col_totals : mapping of group to float
        Totals of the constrained groups (Gbps).

    Raises
    ------
    DemandError
        A constrained group with a positive total and no weight, or no convergence (the
        totals contradict each other through the seed's zero pattern).
    """
    x = np.asarray(seed, dtype=float).copy()
    rg, cg = np.asarray(row_groups, dtype=object), np.asarray(col_groups, dtype=object)
    r_names = sorted(row_totals)
    c_names = sorted(col_totals)
    r_masks = [rg == g for g in r_names]
    c_masks = [cg == g for g in c_names]
    for name, mask, total, axis in ([(g, m, row_totals[g], 1) for g, m in
                                     zip(r_names, r_masks, strict=True)]
                                    + [(g, m, col_totals[g], 0) for g, m in
                                       zip(c_names, c_masks, strict=True)]):
        weight = x[mask, :].sum() if axis == 1 else x[:, mask].sum()
        if total > 0 and weight <= 0:
            raise DemandError("cannot balance the demand", [Problem(
                "demand", None, name, f"{'sends' if axis == 1 else 'receives'} "
                f"{total:g} Gbps but no pair can carry it")])
    error = math.inf
    for _ in range(max_iterations):
        for mask, name in zip(r_masks, r_names, strict=True):
            got = x[mask, :].sum()
            if got > 0:
                x[mask, :] *= row_totals[name] / got
        for mask, name in zip(c_masks, c_names, strict=True):
            got = x[:, mask].sum()
            if got > 0:
                x[:, mask] *= col_totals[name] / got
        misses = [abs(x[m, :].sum() - row_totals[g]) / max(row_totals[g], 1e-12)
                  for m, g in zip(r_masks, r_names, strict=True)]
        misses += [abs(x[:, m].sum() - col_totals[g]) / max(col_totals[g], 1e-12)
                   for m, g in zip(c_masks, c_names, strict=True)]
        error = max(misses, default=0.0)
        if error <= tolerance:
            return x
    raise DemandError("cannot balance the demand", [Problem(
        "demand", None, None, f"no convergence in {max_iterations} rounds (a total is "
        f"missed by {100 * error:.3g}%)", "the fixed zone shares may leave some country "
        "without a sender that can fill it; lower zone_shares")])


def _targets(bandwidth: pd.DataFrame, present: list[str], params: GravityParams,
             users: Mapping[str, float], network: Network) -> pd.DataFrame:
    """Per country: its bandwidth of the year and busy-hour inbound target."""
    year = int(params.year if params.year is not None else params.base_year)
    known = country_bandwidth(bandwidth, present, year, cagr=params.cagr, users=users)
    lacking = sorted(set(present) - set(known["country"]))
    if lacking:
        raise DemandError(_demand_summary(network), [Problem(
            "bandwidth", None, "country", "no cited international bandwidth and no Internet "
            "users for " + ", ".join(lacking), "add a national figure to the study's "
            "bandwidth table")])
    transit = {c: float(params.hub_transit_share.get(c, 0.0)) for c in known["country"]}
    known["hub_transit_share"] = known["country"].map(transit)
    known["target_inbound_gbps"] = (known["bandwidth_gbps"] * params.peak_utilisation
                                    * (1.0 - known["hub_transit_share"]))
    return known[list(TARGET_COLUMNS)].reset_index(drop=True)


def _zone_senders(network: Network, params: GravityParams, total_in: float
                  ) -> tuple[list[str], list[str], dict[str, float], dict[str, float]]:
    """The zone hubs as senders: ids, groups, masses, and the fixed row totals."""
    nodes = network.nodes
    node_ids = [str(i) for i in nodes.index]
    problems = [Problem("nodes", None, "id", f"zone hub {hub!r} ({region}) is not a node of "
                        "the network", did_you_mean(hub, node_ids)
                        or "add the node, or edit zone_hubs")
                for region, hubs in params.zone_hubs.items() for hub in hubs
                if hub not in nodes.index]
    if problems:
        raise DemandError(_demand_summary(network), problems)
    senders: list[str] = []
    groups: list[str] = []
    mass: dict[str, float] = {}
    for region, hubs in params.zone_hubs.items():
        per = (params.zone_gbps[region] if region in params.zone_gbps
               else params.zone_shares[region] * total_in) / len(hubs)
        for hub in hubs:
            senders.append(hub)
            groups.append(f"zone:{region}")
            mass[hub] = per
    rows = {f"zone:{r}": params.zone_shares[r] * total_in for r in params.zone_shares}
    return senders, groups, mass, rows


def _fit(network: Network, params: GravityParams, senders: list[str], sender_group: list[str],
         mass: Mapping[str, float], receivers: list[str], receiver_group: list[str],
         row_totals: Mapping[str, float], col_totals: Mapping[str, float]) -> np.ndarray:
    """The gravity seed between senders and receivers (domestic pairs zero), fitted."""
    nodes = network.nodes
    lon = nodes["lon"].astype(float)
    lat = nodes["lat"].astype(float)
    s_idx = np.repeat(np.arange(len(senders)), len(receivers))
    r_idx = np.tile(np.arange(len(receivers)), len(senders))
    s_mass = np.array([mass[s] for s in senders])
    r_mass = np.array([mass[r] for r in receivers])
    s_lon, s_lat = lon[senders].to_numpy(), lat[senders].to_numpy()
    r_lon, r_lat = lon[receivers].to_numpy(), lat[receivers].to_numpy()
    w = gravity_weights(s_mass[s_idx], r_mass[r_idx], s_lon[s_idx], s_lat[s_idx],
                        r_lon[r_idx], r_lat[r_idx],
                        origin_exponent=params.users_exponent_origin,
                        destination_exponent=params.users_exponent_destination,
                        distance_exponent=params.distance_exponent,
                        min_distance_km=params.min_distance_km)
    seed = w.reshape(len(senders), len(receivers))
    s_country = nodes.loc[senders, "country"].to_numpy(dtype=object)
    r_country = nodes.loc[receivers, "country"].to_numpy(dtype=object)
    seed[s_country[:, None] == r_country[None, :]] = 0.0  # domestic: not international
    return balance_groups(seed, sender_group, receiver_group, row_totals, col_totals)


def _node_masses(ids: list[str], country: Mapping[str, str], weight: Mapping[str, float],
                 target: Mapping[str, float]) -> dict[str, float]:
    """Each node's share of its country's target (by ``weight``, or equally)."""
    total = {c: 0.0 for c in target}
    count = {c: 0 for c in target}
    for i in ids:
        total[country[i]] += weight.get(i, 0.0)
        count[country[i]] += 1
    return {i: target[country[i]] * (weight.get(i, 0.0) / total[country[i]]
                                     if total[country[i]] > 0 else 1.0 / count[country[i]])
            for i in ids}


def fitted_demand(network: Network, countries: pd.DataFrame, params: GravityParams,
                  bandwidth: pd.DataFrame, *, study: Study) -> pd.DataFrame:
    """Busy-hour demand whose inbound total per study country matches its cited bandwidth.

    Parameters
    ----------
    network : Network
        Nodes with ``kind``, ``country``, ``lon``, ``lat`` (and optional ``users_weight``).
    countries : DataFrame
        Internet users per country (``internet_users_million``): they split nothing here
        but estimate the bandwidth of a country without a cited figure.
    params : GravityParams
        ``peak_utilisation``, ``cagr``, ``year``, the exponents and distance floor, the zone
        settings (``zone_hubs``, ``zone_shares``, ``zone_gbps``, ``hub_transit_share``) and
        ``background_countries`` (:func:`background_demand`, appended unless empty).
    bandwidth : DataFrame
        The study's cited bandwidth table (:func:`cablesim.demand.balancing.load_bandwidth`).
    study : Study
        The focus and partner groups (whose countries get a target) and class names.

    Returns
    -------
    DataFrame
        :data:`cablesim.demand.DEMAND_OUTPUT_COLUMNS`; classes ``intra_<focus>``,
        ``<partner>_<focus>`` between study countries, ``content`` from the zones and
        ``background`` between countries outside the study; ``attrs["targets"]`` holds
        :data:`TARGET_COLUMNS` per study country (and per background country).

    Raises
    ------
    DemandError
        Zone hubs missing from the network, a study country with nodes but no bandwidth
        and no users, or totals that cannot be fitted.
    """
    users, problems = _country_users(countries)
    ids, country, node_users = _demand_nodes(network, users, problems, study)
    if problems:
        raise DemandError(_demand_summary(network), problems)
    present = sorted(set(country.values()))
    known = _targets(bandwidth, present, params, users, network)
    target = dict(zip(known["country"], known["target_inbound_gbps"], strict=True))
    mass = _node_masses(ids, country, node_users, target)
    zone, zone_group, zone_mass, zone_rows = _zone_senders(network, params,
                                                           math.fsum(target.values()))
    senders = ids + zone
    sender_group = [country[i] for i in ids] + zone_group
    fitted = _fit(network, params, senders, sender_group, {**mass, **zone_mass}, ids,
                  [country[i] for i in ids], zone_rows, target)
    nodes = network.nodes
    focus, partner = set(study.focus_members), set(study.partner_members)
    records = []
    for a, s in enumerate(senders):
        for b, d in enumerate(ids):
            v = float(fitted[a, b])
            if v <= 0:
                continue
            if a >= len(ids):
                cls = "content"
            elif country[s] in focus and country[d] in focus:
                cls = study.intra_class
            elif {country[s], country[d]} & partner and {country[s], country[d]} & focus:
                cls = study.partner_class
            else:
                cls = "other"
            records.append((cls, s, d, v))
    background, bg_targets = background_demand(network, params, bandwidth, users=users,
                                               study_mass={**mass})
    records.sort()
    out = _demand_frame((o, d, v, str(nodes.at[o, "country"]), country[d], cls)
                        for cls, o, d, v in records)
    if len(background):
        out = pd.concat([out, background], ignore_index=True)
    out.attrs["targets"] = pd.concat([known, bg_targets], ignore_index=True)
    return out


def background_demand(network: Network, params: GravityParams, bandwidth: pd.DataFrame, *,
                      users: Mapping[str, float], study_mass: Mapping[str, float]
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Traffic between countries outside the study that rides the same cables.

    Each of ``params.background_countries`` with nodes (its city and hub nodes, else its
    interconnection points, else its cable landings) receives its own bandwidth of the
    year times ``peak_utilisation``; the senders are the zones (the US and Europe with
    their fixed shares, Japan and Hong Kong with their masses), the other background
    countries and, as masses only, the study's nodes; the fit is the study's
    (:func:`balance_groups`). Flows from study nodes are then dropped: they are the study's
    uploads, which are not modelled.

    Returns
    -------
    (DataFrame, DataFrame)
        Demand rows of class ``background`` and the background countries' targets.
    """
    nodes = network.nodes
    kinds = nodes["kind"].to_numpy(dtype=object)
    countries = nodes["country"].to_numpy(dtype=object)
    known_codes = sorted({str(c) for c in countries if isinstance(c, str)})
    problems = [Problem("demand", None, "background_countries", f"{code!r} has no node in "
                        "the topology", did_you_mean(code, known_codes))
                for code in params.background_countries if code not in known_codes]
    problems += [Problem("demand", None, "background_countries", f"{code!r} is in the "
                         "study: its traffic is already the study's",
                         "remove it from background_countries")
                 for code in params.background_countries
                 if any(str(nodes.at[i, "country"]) == code for i in study_mass)]
    if problems:
        raise DemandError(_demand_summary(network), problems)
    receivers: list[str] = []
    for code in params.background_countries:
        mine = [str(i) for i, k, c in zip(nodes.index, kinds, countries, strict=True)
                if c == code and k in ("city", "hub")]
        if not mine:  # no city: its interconnection points, else its cable landings
            points = interconnection_points(nodes)
            mine = [str(i) for i, c in zip(nodes.index, countries, strict=True)
                    if c == code and points[i]]
        if not mine:
            mine = [str(i) for i, k, c in zip(nodes.index, kinds, countries, strict=True)
                    if c == code and k == "landing"]
        receivers += sorted(mine)
    if not receivers:
        return _demand_frame([]), pd.DataFrame(columns=list(TARGET_COLUMNS))
    country = {i: str(nodes.at[i, "country"]) for i in receivers}
    present = sorted(set(country.values()))
    known = _targets(bandwidth, present, params, users, network)
    target = dict(zip(known["country"], known["target_inbound_gbps"], strict=True))
    mass = _node_masses(receivers, country, {}, target)
    zone, zone_group, zone_mass, zone_rows = _zone_senders(network, params,
                                                           math.fsum(target.values()))
    study_ids = sorted(study_mass)
    senders = receivers + [z for z in zone if z not in country] + study_ids
    groups = ([country[i] for i in receivers]
              + [g for z, g in zip(zone, zone_group, strict=True) if z not in country]
              + ["study"] * len(study_ids))
    fitted = _fit(network, params, senders, groups, {**study_mass, **zone_mass, **mass},
                  receivers, [country[i] for i in receivers], zone_rows, target)
    rows = [(s, d, float(fitted[a, b]), str(nodes.at[s, "country"]), country[d], "background")
            for a, s in enumerate(senders) if groups[a] != "study"
            for b, d in enumerate(receivers) if fitted[a, b] > 0]
    rows.sort(key=lambda r: (r[0], r[1]))
    return _demand_frame(rows), known
