"""The study as data: regions, groups, capitals, map extent, policy presets and claims.

The engine holds no region of its own. What makes a run a China-ASEAN study (which countries
form the focus group whose internal traffic is studied, its partner, the wider region a path
"leaves", capitals, reference cities for prices, the map extent, the exchange-policy presets
and the seed's price claims) lives in a study file, ``study.toml`` beside the topology or
named by ``[experiment] study``::

    [study]
    name = "china_asean"
    title = "China-ASEAN"
    focus = "asean"            # traffic between two members is class "intra_asean"
    partner = "china"          # traffic between partner and focus is class "china_asean"
    region = "east_asia"       # a path through a node elsewhere "leaves the region"
    region_box = [90.0, -15.0, 150.0, 50.0]
    map_extent = [89.0, -12.5, 146.0, 43.5]
    price_reference = "SGSIN"
    price_benchmark = "GBLON"

    [groups.asean]
    name = "ASEAN"
    members = ["BRN", "KHM", ...]

    [capitals]
    SGP = "SGSIN"

    [calibration]              # the price claims checked on delivered transit prices
    [latency]                  # the RTT model's parameters (cablesim.latency)
    [policies.hairpin_us]      # exchange-policy presets, as in cablesim.policy

Result columns and traffic classes take their names from the groups: with ``focus =
"asean"`` the scenario table has ``intra_asean_mean_rtt_ms``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cablesim._errors import Problem, ScenarioError
from cablesim._toml import read_toml
from cablesim._toml import table as _table
from cablesim._toml import unknown_keys as _unknown
from cablesim.latency import LatencyModel
from cablesim.lit import LitModel, LitRule, load_lit_anchors
from cablesim.markets import MarketModel, Markets, load_transit_prices
from cablesim.settings import read_settings, setting
from cablesim.transit_roles import load_transit_roles, roles_of

__all__ = ["StudySettings", "Group", "PriceClaims", "Study", "load_study", "find_study",
           "STUDY_FILE", "DIRECT_POLICY"]

STUDY_FILE = "study.toml"
"""Name of the study file looked for in a topology folder."""

DIRECT_POLICY: Mapping[str, Any] = {
    "description": "Least-weight path, no exchange constraint: the physical best case.",
    "rules": [],
}
"""The one policy preset every study has: no exchange constraint."""


@dataclass(frozen=True)
class StudySettings:
    """The ``[study]`` table."""

    name: str = setting("study", doc="Short name of the study.")
    title: str = setting("", doc="How results name the study region (e.g. China-ASEAN).")
    description: str = setting("", doc="What the study is about.")
    focus: str | None = setting(None, doc="Group whose members' traffic with each other is "
                                "studied: class `intra_<focus>`, column "
                                "`intra_<focus>_mean_rtt_ms`.")
    partner: str | None = setting(None, doc="Group whose traffic with the focus group is "
                                  "class `<partner>_<focus>`.")
    region: str | None = setting(None, doc="Group of the wider region: a path through a node "
                                 "of another country leaves the region.")
    region_box: tuple[float, ...] | None = setting(
        None, kind="box", unit="degrees", doc="lon_min, lat_min, lon_max, lat_max of the region "
        "for nodes without a country (junctions at sea).")
    map_extent: tuple[float, ...] | None = setting(
        None, kind="box", unit="degrees", doc="lon_min, lat_min, lon_max, lat_max of the "
        "study's maps (default: fitted to the topology).")
    price_reference: str | None = setting(None, doc="Node whose delivered transit price the "
                                          "others are compared with (e.g. SGSIN).")
    price_benchmark: str | None = setting(None, doc="Node the reference price is compared "
                                          "with (e.g. GBLON).")
    price_names: tuple[str, ...] = setting(
        default_factory=tuple, doc="How results name the price reference and benchmark "
        "(column ratio_to_<name>; default: the nodes' names).")
    path_policies: tuple[str, ...] = setting(("direct",), doc="Policies of the report's path "
                                             "maps, where the experiment has them.")
    path_pairs: tuple[str, ...] = setting(
        default_factory=tuple, doc="Origin-destination pairs of the report's path maps, each "
        "as 'ORIGIN DESTINATION' (default: the largest intra-focus demand).")
    compare: tuple[str, ...] = setting(
        default_factory=tuple, doc="Two scenario names for the report's side-by-side and "
        "difference maps, where the experiment has them (default: its first two).")
    citation: str = setting("", doc="The source the study tests, cited in reports.")
    bandwidth: str | None = setting(None, doc="Cited international bandwidth by country and "
                                    "year (CSV, relative to the study file), shown beside "
                                    "each country's offered traffic in countries.csv.")
    hub_since: Mapping[str, float] = setting(
        default_factory=dict, doc="Exchange hub node id to the first year it could exchange "
        "international traffic (a scenario of an earlier year exchanging there is labelled "
        "counterfactual).")
    transit_roles: str | None = setting(None, doc="Transit role table (CSV, relative to the "
                                        "study file): which countries' networks carry other "
                                        "countries' traffic, for whom "
                                        "(cablesim.transit_roles; docs/routing.md).")
    colours: Mapping[str, str] = setting(
        default_factory=dict, doc="Colour (#rrggbb) of each policy or scenario in path maps "
        "and charts (others take a palette).")


@dataclass(frozen=True)
class PriceClaims:
    """The ``[calibration]`` table: price ratios that a source claims."""

    source: str = setting("", doc="Where the claims come from (e.g. seed II(I)2).")
    reference_over_benchmark: tuple[float, ...] | None = setting(
        None, doc="low, high: the claimed range of reference / benchmark price.")
    focus_capitals_over_reference: float | None = setting(
        None, low=0.0, doc="Most focus-group capitals pay more than this times the reference.")
    partner_over_reference: float | None = setting(
        None, low=0.0, doc="The partner's capital pays more than this times the reference.")
    intra_leaving_region: float | None = setting(
        None, low=0.0, high=1.0, doc="Intra-focus traffic is 'largely' routed out of the "
        "region: more than this share of it (checked per scenario in claims.csv).")


@dataclass(frozen=True)
class Group:
    """A named group of countries (ISO 3166-1 alpha-3)."""

    key: str
    name: str
    members: tuple[str, ...]
    citation: str = ""


@dataclass(frozen=True)
class Study:
    """A study: its settings, groups, capitals, price claims and policy presets."""

    settings: StudySettings = field(default_factory=StudySettings)
    groups: Mapping[str, Group] = field(default_factory=dict)
    capitals: Mapping[str, str] = field(default_factory=dict)
    claims: PriceClaims = field(default_factory=PriceClaims)
    policies: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    path: Path | None = None
    latency: LatencyModel = field(default_factory=LatencyModel)
    lit: LitRule = field(default_factory=LitRule)
    transit_roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    markets: Markets = field(default_factory=Markets)

    # ------------------------------------------------------------------ groups
    def members(self, key: str | None) -> tuple[str, ...]:
        """Members of group ``key`` (empty for None)."""
        return self.groups[key].members if key else ()

    @property
    def focus_members(self) -> tuple[str, ...]:
        """Countries of the focus group."""
        return self.members(self.settings.focus)

    @property
    def partner_members(self) -> tuple[str, ...]:
        """Countries of the partner group."""
        return self.members(self.settings.partner)

    @property
    def focus_label(self) -> str:
        """How text names the focus group (e.g. ASEAN)."""
        focus = self.settings.focus
        return self.groups[focus].name if focus else "region"

    @property
    def intra_class(self) -> str:
        """Traffic class between two different members of the focus group."""
        return f"intra_{self.settings.focus or 'focus'}"

    @property
    def partner_class(self) -> str:
        """Traffic class between the partner and the focus group."""
        return f"{self.settings.partner or 'partner'}_{self.settings.focus or 'focus'}"

    @property
    def traffic_classes(self) -> tuple[str, ...]:
        """Every traffic class, in the order pairs are tested."""
        return ("domestic", self.intra_class, self.partner_class, "content", "other",
                "background")

    @property
    def intra_rtt_column(self) -> str:
        """Scenario column: traffic-weighted RTT of the intra-focus class, ms."""
        return f"{self.intra_class}_mean_rtt_ms"

    @property
    def transit_roles_path(self) -> Path | None:
        """The study's transit role table, resolved (None when it names none)."""
        if self.settings.transit_roles is None or self.path is None:
            return None
        return (self.path.parent / self.settings.transit_roles).resolve()

    @property
    def market_prices_path(self) -> Path | None:
        """The study's transit price table, resolved (None when it names none)."""
        if self.markets.model.prices is None or self.path is None:
            return None
        return (self.path.parent / self.markets.model.prices).resolve()

    @property
    def lit_anchors_path(self) -> Path | None:
        """The study's lit capacity anchor table, resolved (None when it names none)."""
        if self.lit.model.anchors is None or self.path is None:
            return None
        return (self.path.parent / self.lit.model.anchors).resolve()

    @property
    def bandwidth_path(self) -> Path | None:
        """The study's bandwidth table, resolved (None when it names none)."""
        if self.settings.bandwidth is None or self.path is None:
            return None
        return (self.path.parent / self.settings.bandwidth).resolve()

    @property
    def map_extent(self) -> tuple[float, float, float, float] | str:
        """The study's map extent, or ``"auto"``."""
        extent = self.settings.map_extent
        return (extent[0], extent[1], extent[2], extent[3]) if extent else "auto"

    def node_in_region(self, countries: np.ndarray, lon: np.ndarray,
                       lat: np.ndarray) -> np.ndarray:
        """Whether each node lies in the region (by country, else by the region box)."""
        region = set(self.members(self.settings.region))
        by_country = np.array([c in region for c in countries], dtype=bool)
        box = self.settings.region_box
        if box is None:
            return by_country
        no_country = np.array([c is None or c == "" for c in countries], dtype=bool)
        lo, south, hi, north = box
        in_box = (lon >= lo) & (lon <= hi) & (lat >= south) & (lat <= north)
        return by_country | (no_country & in_box)

    def policy_presets(self) -> dict[str, Mapping[str, Any]]:
        """Policy presets by name: ``direct`` and the study's."""
        return {"direct": DIRECT_POLICY, **self.policies}


def _groups(raw: Mapping[str, Any], source: str, problems: list[Problem]) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    for key, value in raw.items():
        where = f"groups.{key}"
        value = _table(value, where, source, problems)
        _unknown(value, {"name", "members", "citation"}, where, source, problems)
        members = value.get("members", [])
        if (not isinstance(members, list) or not members or not all(
                isinstance(c, str) and len(c) == 3 and c.isalpha() and c.isupper()
                for c in members)):
            problems.append(Problem(source, None, f"{where}.members",
                                    f"must be a non-empty list of ISO3 codes, got {members!r}"))
            members = []
        groups[str(key)] = Group(str(key), str(value.get("name", key)), tuple(members),
                                 str(value.get("citation", "")))
    return groups


def load_study(path: str | Path) -> Study:
    """Read and check a study file.

    Raises
    ------
    ScenarioError
        Every problem, each naming the file and the key.
    """
    file = Path(path)
    doc = read_toml(file)
    source = str(file)
    problems: list[Problem] = []
    _unknown(doc, {"study", "groups", "capitals", "calibration", "policies", "latency", "lit",
                   "markets"}, "",
             source, problems)
    settings = read_settings(StudySettings, _table(doc.get("study"), "study", source, problems),
                             where="study", source=source, problems=problems)
    groups = _groups(_table(doc.get("groups"), "groups", source, problems), source, problems)
    for key in ("focus", "partner", "region"):
        value = getattr(settings, key)
        if value is not None and value not in groups:
            from cablesim._errors import did_you_mean

            problems.append(Problem(source, None, f"study.{key}", f"no group named {value!r}",
                                    did_you_mean(value, groups)))
    for name, colour in settings.colours.items():
        if not (isinstance(colour, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", colour)):
            problems.append(Problem(source, None, f"study.colours.{name}",
                                    f"must be a colour #rrggbb, got {colour!r}"))
    if settings.bandwidth is not None and not (file.parent / settings.bandwidth).is_file():
        problems.append(Problem(source, None, "study.bandwidth",
                                f"file {str(file.parent / settings.bandwidth)!r} does not exist"))
    roles: Mapping[str, frozenset[str]] = {}
    if settings.transit_roles is not None:
        roles_file = file.parent / settings.transit_roles
        if not roles_file.is_file():
            problems.append(Problem(source, None, "study.transit_roles",
                                    f"file {str(roles_file)!r} does not exist"))
        else:
            try:
                roles = roles_of(load_transit_roles(roles_file))
            except ScenarioError as exc:
                problems.extend(exc.problems)
    capitals = _table(doc.get("capitals"), "capitals", source, problems)
    for country, node in capitals.items():
        if not isinstance(node, str):
            problems.append(Problem(source, None, f"capitals.{country}",
                                    f"must be a node id, got {node!r}"))
    claims = read_settings(PriceClaims, _table(doc.get("calibration"), "calibration", source,
                                               problems),
                           where="calibration", source=source, problems=problems)
    band = claims.reference_over_benchmark
    if band is not None and (len(band) != 2 or not band[0] <= band[1]):
        problems.append(Problem(source, None, "calibration.reference_over_benchmark",
                                f"must be [low, high] with low <= high, got {list(band)!r}"))
    policies = _table(doc.get("policies"), "policies", source, problems)
    for name, spec in policies.items():
        if not isinstance(spec, Mapping):
            problems.append(Problem(source, None, f"policies.{name}", "must be a table"))
    if problems:
        raise ScenarioError(f"study {source!r} is invalid", problems)
    latency = read_settings(LatencyModel, _table(doc.get("latency"), "latency", source,
                                                 problems),
                            where="latency", source=source, problems=problems)
    lit_model = read_settings(LitModel, _table(doc.get("lit"), "lit", source, problems),
                              where="lit", source=source, problems=problems)
    anchors = None
    if lit_model.anchors is not None:
        anchor_file = file.parent / lit_model.anchors
        if not anchor_file.is_file():
            problems.append(Problem(source, None, "lit.anchors",
                                    f"file {str(anchor_file)!r} does not exist"))
        else:
            try:
                anchors = load_lit_anchors(anchor_file)
            except ScenarioError as exc:
                problems.extend(exc.problems)
    market_model = read_settings(MarketModel, _table(doc.get("markets"), "markets", source,
                                                     problems),
                                 where="markets", source=source, problems=problems)
    market_table = None
    if market_model.prices is not None:
        prices_file = file.parent / market_model.prices
        if not prices_file.is_file():
            problems.append(Problem(source, None, "markets.prices",
                                    f"file {str(prices_file)!r} does not exist"))
        else:
            try:
                market_table = load_transit_prices(prices_file)
            except ScenarioError as exc:
                problems.extend(exc.problems)
    if problems:
        raise ScenarioError(f"study {source!r} is invalid", problems)
    study = Study(settings, groups, {str(k): str(v) for k, v in capitals.items()}, claims,
                  {str(k): dict(v) for k, v in policies.items()}, file, latency,
                  LitRule(lit_model, anchors), roles, Markets(market_model, market_table))
    # check the presets against the study's traffic classes now, not at first use
    from cablesim.policy import Policy

    for name in policies:
        try:
            Policy.from_mapping(name, policies[name], source, classes=study.traffic_classes)
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(f"study {source!r} is invalid", problems)
    return study


def find_study(topology: Path, named: Path | None = None) -> Study:
    """The study an experiment uses: the file it names, else ``study.toml`` in its
    topology folder, else an empty study (no groups: traffic is domestic or other)."""
    if named is not None:
        return load_study(named)
    if (topology / STUDY_FILE).is_file():
        return load_study(topology / STUDY_FILE)
    return Study()
