"""Exchange policies: which hub each demand's traffic is exchanged at.

A :class:`Policy` is an ordered list of :class:`ExchangeRule`; the named presets are data:
``direct`` (no exchange constraint) everywhere, the others in the study file's
``[policies]`` (:mod:`cablesim.study`; for China-ASEAN ``hairpin_us``, ``hairpin_eu``,
``regional_hubs``, ``guangxi_hub``, ``pan_eurasian_backup``). :func:`assign_exchange`
turns a demand table into commodities (origin, exchange hub or none, destination, Gbps),
splitting a demand where a rule mixes options, and choosing among a rule's candidate hubs the
one with the least path weight origin -> hub -> destination (plus the hub's transit price
when routing by cost).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cablesim._errors import Problem, ScenarioError, did_you_mean
from cablesim.routing.graph import ArcGraph
from cablesim.routing.paths import distances_from

__all__ = ["ExchangeOption", "ExchangeRule", "Policy", "GENERIC_TRAFFIC_CLASSES",
           "TransitRules", "assign_exchange"]

GENERIC_TRAFFIC_CLASSES = ("domestic", "content", "other", "background")
"""Traffic classes of every study; a study adds its own (:attr:`cablesim.study.Study.
traffic_classes`)."""


@dataclass(frozen=True)
class ExchangeOption:
    """One way of exchanging a share of a demand.

    Attributes
    ----------
    hubs : tuple of str
        Candidate exchange hub node ids; empty means the direct path.
    share : float
        Fraction of the matched demand (0..1).
    """

    hubs: tuple[str, ...]
    share: float


@dataclass(frozen=True)
class ExchangeRule:
    """Traffic a rule applies to and how it is exchanged.

    Attributes
    ----------
    traffic : str
        A traffic class of the study or ``"*"`` for all.
    countries : tuple of str
        If not empty, the rule applies only when both ends are in these ISO3 countries.
    options : tuple of ExchangeOption
        Shares sum to at most 1; the remainder takes the direct path.
    """

    traffic: str
    countries: tuple[str, ...]
    options: tuple[ExchangeOption, ...]


@dataclass(frozen=True)
class Policy:
    """A named, ordered list of exchange rules."""

    name: str
    rules: tuple[ExchangeRule, ...]
    description: str = ""

    @classmethod
    def preset(cls, name: str, source: str = "policy", *,
               presets: Mapping[str, Mapping[str, Any]] | None = None,
               classes: Sequence[str] | None = None, presets_source: str = "study") -> Policy:
        """A named preset (``direct`` when ``presets`` is not given).

        Parameters
        ----------
        presets : mapping, optional
            Preset tables by name (a study's :meth:`~cablesim.study.Study.policy_presets`).
        classes : sequence of str, optional
            The study's traffic classes.
        """
        presets = presets if presets is not None else {"direct": {"rules": []}}
        if name not in presets:
            raise ScenarioError("unknown exchange policy", [Problem(
                source, None, "policy", f"no preset named {name!r}; presets: "
                + ", ".join(sorted(presets)), did_you_mean(name, presets))])
        return cls.from_mapping(name, presets[name], presets_source, classes=classes)

    @classmethod
    def from_mapping(cls, name: str, spec: Mapping[str, Any], source: str, *,
                     classes: Sequence[str] | None = None) -> Policy:
        """Build a policy from a TOML table ``{description, rules = [...]}``.

        ``classes`` are the traffic classes a rule may name (default: any text).

        Raises
        ------
        ScenarioError
            Naming the source and the offending rule and key.
        """
        problems: list[Problem] = []
        rules: list[ExchangeRule] = []
        raw_rules = spec.get("rules", [])
        if not isinstance(raw_rules, list):
            raise ScenarioError(f"policy {name!r} is invalid", [Problem(
                source, None, f"{name}.rules", "must be a list of rule tables")])
        for i, raw in enumerate(raw_rules):
            rule = _parse_rule(raw, f"{name}.rules[{i}]", source, problems, classes)
            if rule is not None:
                rules.append(rule)
        unknown = set(spec) - {"rules", "description"}
        for key in sorted(unknown):
            problems.append(Problem(source, None, f"{name}.{key}", "unknown key",
                                    did_you_mean(key, ["rules", "description"])))
        if problems:
            raise ScenarioError(f"policy {name!r} is invalid", problems)
        return cls(name, tuple(rules), str(spec.get("description", "")))

    def hubs(self) -> list[str]:
        """Every hub node id the policy may exchange at, in rule order."""
        seen: dict[str, None] = {}
        for rule in self.rules:
            for option in rule.options:
                for hub in option.hubs:
                    seen.setdefault(hub, None)
        return list(seen)


def _parse_rule(raw: object, where: str, source: str, problems: list[Problem],
                classes: Sequence[str] | None) -> ExchangeRule | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(source, None, where, "a rule must be a table"))
        return None
    allowed = {"traffic", "countries", "exchange", "mix"}
    for key in sorted(set(raw) - allowed):
        problems.append(Problem(source, None, f"{where}.{key}", "unknown key",
                                did_you_mean(key, allowed)))
    traffic = raw.get("traffic", "*")
    if not isinstance(traffic, str):
        problems.append(Problem(source, None, f"{where}.traffic",
                                f"must be a traffic class, got {traffic!r}"))
    elif classes is not None and traffic != "*" and traffic not in classes:
        problems.append(Problem(source, None, f"{where}.traffic",
                                f"unknown traffic class {traffic!r}; expected '*' or one of "
                                + ", ".join(classes), did_you_mean(traffic, classes)))
    countries = raw.get("countries", [])
    if not isinstance(countries, list) or not all(isinstance(c, str) for c in countries):
        problems.append(Problem(source, None, f"{where}.countries",
                                "must be a list of ISO3 codes"))
        countries = []
    if ("exchange" in raw) == ("mix" in raw):
        problems.append(Problem(source, None, where, "give either 'exchange' or 'mix'"))
        return None
    options: list[ExchangeOption] = []
    if "exchange" in raw:
        hubs = raw["exchange"]
        if not isinstance(hubs, list) or not all(isinstance(h, str) for h in hubs):
            problems.append(Problem(source, None, f"{where}.exchange",
                                    "must be a list of hub node ids"))
            return None
        options.append(ExchangeOption(tuple(hubs), 1.0))
    else:
        mix = raw["mix"]
        if not isinstance(mix, list) or not mix:
            problems.append(Problem(source, None, f"{where}.mix",
                                    "must be a list of {exchange, share} tables"))
            return None
        for j, item in enumerate(mix):
            key = f"{where}.mix[{j}]"
            if not isinstance(item, Mapping) or not isinstance(item.get("exchange"), list):
                problems.append(Problem(source, None, key, "needs 'exchange' (a list) and "
                                        "'share'"))
                continue
            share = item.get("share")
            if isinstance(share, bool) or not isinstance(share, (int, float)) or not (
                    0.0 <= float(share) <= 1.0):
                problems.append(Problem(source, None, f"{key}.share",
                                        f"must be a number in [0, 1], got {share!r}"))
                continue
            options.append(ExchangeOption(tuple(str(h) for h in item["exchange"]),
                                          float(share)))
        total = sum(o.share for o in options)
        if total > 1.0 + 1e-9:
            problems.append(Problem(source, None, f"{where}.mix",
                                    f"shares sum to {total:g}, more than 1"))
    return ExchangeRule(str(traffic), tuple(countries), tuple(options))


class TransitRules:
    """Which countries' networks a commodity may cross (transit roles).

    A country is *open* (sells transit to all, the default), *closed* (carries only
    traffic that starts, ends or is exchanged there: ``restricted``, the experiment's
    ``no_transit``) or sells transit to listed customer countries only (``roles``). A
    commodity may use a link of a non-open country's land network (a terrestrial or metro
    link, or any link at one of its cities or hubs: ``land_side``) only if that country is
    its origin's, destination's or exchange hub's, or sells transit to one of them. A cable
    system merely landing in a country is not its network: with landing stations split by
    system (:mod:`cablesim.interconnect`), a path passes them without entering the country.
    Commodities are grouped by the set of non-open countries they may cross; each group
    routes on its own edge mask.

    Parameters
    ----------
    graph : ArcGraph
        The network's array view.
    node_country : mapping
        Node id to ISO3 country (or None).
    enabled : ndarray of bool, shape (m,)
        Edges in service.
    restricted : sequence of str
        ISO3 codes of the countries closed to transit (e.g. ``["CHN"]``); they stay closed
        whatever ``roles`` and ``open_countries`` say.
    roles : mapping, optional
        Country to the frozenset of countries it sells transit to, or None for all (a
        study's transit role table, :mod:`cablesim.transit_roles`).
    open_countries : sequence of str
        Countries treated as open whatever ``roles`` says (a scenario lifting a role).
    land_side : ndarray of bool, shape (m,), optional
        Edges that belong to the countries of their ends' land networks (default: every
        edge, so a restricted country's cable landings are closed too).
    """

    def __init__(self, graph: ArcGraph, node_country: Mapping[str, str | None],
                 enabled: np.ndarray, restricted: Sequence[str] = (), *,
                 roles: Mapping[str, frozenset[str] | None] | None = None,
                 open_countries: Sequence[str] = (),
                 land_side: np.ndarray | None = None) -> None:
        closed = set(restricted)
        opened = set(open_countries) - closed
        customers: dict[str, frozenset[str]] = {c: frozenset() for c in closed}
        for country, sells in (roles or {}).items():
            if sells is not None and country not in closed and country not in opened:
                customers[country] = frozenset(sells)
        self.restricted = tuple(sorted(customers))
        self.customers = customers
        self.enabled = np.asarray(enabled, dtype=bool)
        countries = np.array([node_country.get(n) for n in graph.node_ids], dtype=object)
        self._country = countries
        side = (np.ones(graph.n_edges, dtype=bool) if land_side is None
                else np.asarray(land_side, dtype=bool))
        self._touches = {c: side & ((countries[graph.edge_u] == c)
                                    | (countries[graph.edge_v] == c))
                         for c in self.restricted}
        self._keys: dict[frozenset[str], int] = {}
        self._masks: list[np.ndarray] = []
        # bit i of a node's code: the commodity may cross non-open country i because this
        # node (an end or its hub) is in it, or in a country it sells transit to
        self._bits = np.zeros(len(countries), dtype=np.int64)
        allow: dict[object, int] = {}
        for c in set(countries.tolist()):
            allow[c] = sum(1 << i for i, x in enumerate(self.restricted)
                           if c is not None and (c == x or c in customers[x]))
        for k, c in enumerate(countries.tolist()):
            self._bits[k] = allow[c]

    def key(self, *node_indices: int) -> frozenset[str]:
        """Non-open countries a commodity with these ends (and hub) may cross."""
        code = 0
        for i in node_indices:
            if i >= 0:
                code |= int(self._bits[i])
        return self.key_of(code)

    def key_codes(self, *node_indices: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`key`: one integer code per element (bit i set when non-open
        country i may be crossed; negative indices are ignored). See :meth:`key_of`."""
        code = np.zeros(np.broadcast_shapes(*(np.shape(a) for a in node_indices)),
                        dtype=np.int64)
        for idx in node_indices:
            idx = np.asarray(idx, dtype=np.int64)
            code |= np.where(idx >= 0, self._bits[np.maximum(idx, 0)], 0)
        return code

    def key_of(self, code: int) -> frozenset[str]:
        """The key (the non-open countries that may be crossed) of a code from
        :meth:`key_codes`."""
        return frozenset(c for i, c in enumerate(self.restricted) if int(code) >> i & 1)

    def group(self, key: frozenset[str]) -> int:
        """Row of :meth:`masks` for a key (created on first use)."""
        if key not in self._keys:
            mask = self.enabled.copy()
            for country in self.restricted:
                if country not in key:
                    mask &= ~self._touches[country]
            self._keys[key] = len(self._masks)
            self._masks.append(mask)
        return self._keys[key]

    def mask(self, key: frozenset[str]) -> np.ndarray:
        """Edge mask for commodities that may cross the non-open countries in ``key``."""
        return self._masks[self.group(key)]

    def groups(self, origin: np.ndarray, via: np.ndarray, destination: np.ndarray) -> np.ndarray:
        """Group of each commodity (node index arrays; ``via`` -1 for none)."""
        if not self.restricted:
            return np.zeros(len(origin), dtype=np.int64)
        codes = self.key_codes(origin, via, destination)
        unique, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        group_of = np.zeros(len(unique), dtype=np.int64)
        for u in np.argsort(first, kind="stable"):  # groups numbered in order of appearance
            group_of[u] = self.group(self.key_of(unique[u]))
        return group_of[inverse].reshape(-1)

    def masks(self) -> np.ndarray:
        """All group masks created so far, shape (G, m)."""
        if not self._masks:
            self.group(frozenset())
        return np.vstack(self._masks)


def assign_exchange(
    demand: pd.DataFrame,
    policy: Policy,
    graph: ArcGraph,
    edge_weight: np.ndarray,
    enabled: np.ndarray,
    node_country: Mapping[str, str | None],
    *,
    hub_surcharge: Mapping[str, float] | None = None,
    source: str = "scenario",
    transit: TransitRules | None = None,
) -> pd.DataFrame:
    """Split demands into commodities with their exchange hub.

    Parameters
    ----------
    demand : DataFrame
        Columns ``origin, destination, gbps, traffic_class`` (one row per demand).
    policy : Policy
        The exchange rules.
    graph : ArcGraph
        The network's array view.
    edge_weight : ndarray, shape (m,)
        The routing weight (ms or USD per Mbps per month) used to pick the hub.
    enabled : ndarray of bool, shape (m,)
        Edges in service in the scenario.
    node_country : mapping
        Node id to ISO3 country.
    hub_surcharge : mapping, optional
        Extra weight per hub added when choosing among candidates (e.g. its transit price
        when routing by cost).
    source : str
        Scenario file name, for messages.
    transit : TransitRules, optional
        Transit restrictions; hub distances are then measured on the mask each
        (origin, hub, destination) may use.

    Returns
    -------
    DataFrame
        Columns ``demand, origin, via, destination, gbps, traffic_class, option`` where
        ``demand`` is the row position in ``demand``, ``via`` the hub id (``""`` for direct)
        and ``option`` describes the rule option (e.g. ``"USLAX|USSJC"`` or ``"direct"``).

    Raises
    ------
    ScenarioError
        If a rule names a hub that is not a node of the network.
    """
    hubs = policy.hubs()
    missing = [h for h in hubs if h not in graph.node_index]
    if missing:
        raise ScenarioError(f"policy {policy.name!r} names hubs not in the topology", [
            Problem(source, None, "policy", f"unknown hub node id {h!r}",
                    did_you_mean(h, graph.node_index)) for h in missing])
    surcharge = dict(hub_surcharge or {})
    classes = demand["traffic_class"].to_numpy(dtype=object)
    o_country = np.array([node_country.get(o) for o in demand["origin"]], dtype=object)
    d_country = np.array([node_country.get(d) for d in demand["destination"]], dtype=object)
    unassigned = np.ones(len(demand), dtype=bool)
    pieces: list[pd.DataFrame] = []
    transit = transit or TransitRules(graph, node_country, enabled)
    hub_dist: dict[tuple[str, frozenset[str]], np.ndarray] = {}
    origin_idx = graph.nodes_of(list(demand["origin"]))
    dest_idx = graph.nodes_of(list(demand["destination"]))

    def hub_cost(hub: str, rows: np.ndarray) -> np.ndarray:
        h = graph.node_index[hub]
        codes = transit.key_codes(origin_idx[rows], np.full(len(rows), h), dest_idx[rows])
        cost = np.empty(len(rows))
        for code in np.unique(codes):
            key = transit.key_of(code)
            if (hub, key) not in hub_dist:
                csr = graph.csr(edge_weight, transit.mask(key))
                hub_dist[(hub, key)] = distances_from(csr, np.array([h]))[0]
            dist = hub_dist[(hub, key)]
            sel = codes == code
            cost[sel] = dist[origin_idx[rows][sel]] + dist[dest_idx[rows][sel]]
        return cost + surcharge.get(hub, 0.0)

    for rule in policy.rules:
        match = unassigned.copy()
        if rule.traffic != "*":
            match &= classes == rule.traffic
        if rule.countries:
            allowed = set(rule.countries)
            match &= np.array([c in allowed for c in o_country]) & np.array(
                [c in allowed for c in d_country])
        rows = np.flatnonzero(match)
        if not len(rows):
            continue
        unassigned[rows] = False
        remaining = np.ones(len(rows))
        for option in rule.options:
            via = np.full(len(rows), "", dtype=object)
            if option.hubs:
                cost = np.vstack([hub_cost(h, rows) for h in option.hubs])
                via = np.asarray(option.hubs, dtype=object)[np.argmin(cost, axis=0)]
            pieces.append(_commodities(demand, rows, via, option.share,
                                       "|".join(option.hubs) or "direct"))
            remaining -= option.share
        left = remaining > 1e-12
        if left.any():
            pieces.append(_commodities(demand, rows[left], np.full(int(left.sum()), "",
                                                                  dtype=object),
                                       remaining[left], "direct"))
    rest = np.flatnonzero(unassigned)
    if len(rest):
        pieces.append(_commodities(demand, rest, np.full(len(rest), "", dtype=object), 1.0,
                                   "direct"))
    if not pieces:
        return pd.DataFrame(columns=["demand", "origin", "via", "destination", "gbps",
                                     "traffic_class", "option"])
    out = pd.concat(pieces, ignore_index=True)
    return out.sort_values(["demand", "option"], kind="stable").reset_index(drop=True)


def _commodities(demand: pd.DataFrame, rows: np.ndarray, via: np.ndarray,
                 share: float | np.ndarray, option: str) -> pd.DataFrame:
    sub = demand.iloc[rows]
    return pd.DataFrame({
        "demand": rows,
        "origin": sub["origin"].to_numpy(dtype=object),
        "via": via,
        "destination": sub["destination"].to_numpy(dtype=object),
        "gbps": sub["gbps"].to_numpy(dtype=float) * share,
        "traffic_class": sub["traffic_class"].to_numpy(dtype=object),
        "option": option,
    })


