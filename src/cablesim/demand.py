"""Traffic demand: a calibrated gravity model, user demand matrices and growth.

A demand table has one row per (origin, destination, traffic class) with the columns of
:data:`DEMAND_OUTPUT_COLUMNS`: node ids, the demand in Gbps (busy-hour, one direction, origin
to destination), the two ends' ISO 3166-1 alpha-3 countries and the traffic class, one of
the study's :attr:`~cablesim.study.Study.traffic_classes`.

The gravity model (:func:`gravity_demand`) spreads the Internet users of the study's focus
and partner groups (the ten ASEAN countries and China) over their city and hub nodes and
splits a calibrated busy-hour total

    T = asean_international_gbps x peak_utilisation x (1 + cagr) ** (year - base_year)

into three classes: traffic within the focus group (``intra_asean``) and between partner and
focus group (``china_asean``) between cities in different countries, distributed by a gravity
law (users to the powers ``a`` and ``b`` over distance to the power ``gamma``), and
``content`` downloads from the content hubs (by default of the US, Europe, Japan and Hong
Kong/Singapore) to the focus group's cities. :class:`GravityParams` holds the parameters and says
where each default comes from.

User matrices (:func:`load_demand_csv`) are read like topology files: every problem is
collected and raised at once as :class:`cablesim.DemandError`, each naming the file, line and
field. :func:`grow_demand` scales a table from one year to another.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from cablesim._errors import DemandError, Problem, ScenarioError, did_you_mean
from cablesim.geo import great_circle_km_array
from cablesim.io.topology import read_csv_text
from cablesim.network import Network
from cablesim.schema import Column
from cablesim.settings import check_settings, setting
from cablesim.study import Study
from cablesim.validation import TableSource, coerce_table

__all__ = [
    "DEMAND_CSV_COLUMNS",
    "DEMAND_OUTPUT_COLUMNS",
    "DEMAND_NODE_KINDS",
    "ASEAN_INTERNATIONAL_GBPS",
    "ASEAN_INTERNATIONAL_YEAR",
    "DEFAULT_CONTENT_HUB_WEIGHTS",
    "DEFAULT_CONTENT_HUBS",
    "GravityParams",
    "class_totals_gbps",
    "load_country_indicators",
    "gravity_demand",
    "classify_pairs",
    "load_demand_csv",
    "grow_demand",
]

DEMAND_NODE_KINDS: tuple[str, ...] = ("city", "hub")
"""Node kinds that originate and terminate gravity-model traffic (users live in cities)."""

DEMAND_CSV_COLUMNS: tuple[Column, ...] = (
    Column("origin", "str", "", True, False, "Id of the node the traffic enters at."),
    Column("destination", "str", "", True, False, "Id of the node the traffic leaves at."),
    Column("gbps", "float", "Gbps", True, False,
           "Busy-hour demand from origin to destination (one direction).", min=0.0),
)
"""Columns of a user demand matrix CSV file; extra columns are kept as text."""

DEMAND_OUTPUT_COLUMNS: tuple[str, ...] = (
    "origin", "destination", "gbps", "origin_country", "destination_country", "traffic_class",
)
"""Columns of a demand table, in order (a user matrix's extra columns follow them)."""

ASEAN_INTERNATIONAL_GBPS = 7430.0
"""International Internet bandwidth of the ASEAN countries, Gbps: "increased by nearly 165
times, up to 7430G" (CAICT, China-ASEAN Information Technology Development and Cooperation,
2016, sec. II.(I).2, seed text L749-751; claim ``asean_intl_bandwidth`` in
``seeds/claims.csv``, printed "7430G", read as Gbps)."""

ASEAN_INTERNATIONAL_YEAR = 2015
"""Year of :data:`ASEAN_INTERNATIONAL_GBPS` (estimate: the report, published in 2016 with
tables of 2014 data, says only "in recent years", and ``seeds/claims.csv`` records the date
as not stated; 2015, the last full year before publication, is assumed)."""

DEFAULT_CONTENT_HUB_WEIGHTS: Mapping[str, float] = {"US": 0.45, "EU": 0.2, "JP": 0.1,
                                                    "HKSG": 0.25}
"""Share of ASEAN's content downloads served from each region (estimate: US platforms
dominate ASEAN's content sources, then the Hong Kong/Singapore caches and data centres,
then Europe and Japan; rounded judgement, not a measurement)."""

DEFAULT_CONTENT_HUBS: Mapping[str, tuple[str, ...]] = {
    "US": ("USLAX", "USSJC"),
    "EU": ("GBLON", "DEFRA", "FRMRS", "NLAMS"),
    "JP": ("JPTYO",),
    "HKSG": ("HKHKG", "SGSIN"),
}
"""Content hub node ids (UN/LOCODE) of each content region (estimate: the cable-landing and
data-centre cities through which each region's content reaches Asia: Los Angeles and San
Jose; London, Frankfurt, Marseille and Amsterdam; Tokyo; Hong Kong and Singapore)."""

_YEAR_MIN, _YEAR_MAX = 1850, 2100
_ISO3 = re.compile(r"^[A-Z]{3}$")


DEFAULT_CAGR = 0.30
"""Growth of demand per year, a fraction: TeleGeography reports global international
bandwidth growth of +29% in 2021 and +34% in 2020 (State of the Network 2022; facts-inputs
A7). The one default of every demand model's growth."""


@dataclass(frozen=True)
class GravityParams:
    """Parameters of the gravity demand model (:func:`gravity_demand`).

    Each field is a setting of an experiment's ``[demand]`` table, declared with its unit,
    bounds, default and source (``docs/settings.md`` is generated from them). Constructing
    the parameters checks them; :meth:`from_mapping` reads them from a TOML table.

    Raises
    ------
    ScenarioError
        When a value has the wrong type or is out of range (all problems at once).
    """

    users_exponent_origin: float = setting(
        1.0, low=0.0, doc="Exponent `a` of the origin's Internet users (the classic gravity "
        "model: traffic proportional to the product of the two populations).")
    users_exponent_destination: float = setting(
        1.0, low=0.0, doc="Exponent `b` of the destination's Internet users (as `a`).")
    distance_exponent: float = setting(
        1.0, low=0.0, doc="Exponent `gamma` of the great-circle distance (estimate: the usual "
        "first-order distance decay of trade and telecom gravity models).")
    min_distance_km: float = setting(
        100.0, low=0.0, low_open=True, unit="km", doc="Floor on the distance term (estimate: "
        "keeps nearby pairs such as Johor Bahru and Singapore from dominating).")
    base_year: int = setting(
        ASEAN_INTERNATIONAL_YEAR, kind="year", doc="Year of `asean_international_gbps` "
        "(estimate: the seed report's 'recent years', read as 2015).")
    asean_international_gbps: float = setting(
        ASEAN_INTERNATIONAL_GBPS, low=0.0, low_open=True, unit="Gbps", doc="International "
        "Internet bandwidth of ASEAN in `base_year` (CAICT 2016, seed claim "
        "`asean_intl_bandwidth`).")
    peak_utilisation: float = setting(
        0.5, low=0.0, low_open=True, high=1.0, doc="Share of the international capacity "
        "carried at the busy hour (estimate: operators upgrade at 50-70% busy-hour load).")
    content_share: float = setting(
        0.6, low=0.0, high=1.0, doc="Share of the total that is content downloads from the "
        "content hubs (estimate).")
    china_asean_share: float = setting(
        0.1, low=0.0, high=1.0, doc="Share of the total exchanged between China and ASEAN, "
        "both directions (estimate); the rest is intra-ASEAN international traffic.")
    content_hub_weights: Mapping[str, float] = setting(
        default_factory=lambda: dict(DEFAULT_CONTENT_HUB_WEIGHTS), doc="Weight of each "
        "content region, normalised to sum to one (estimate).")
    content_hubs: Mapping[str, tuple[str, ...]] = setting(
        default_factory=lambda: dict(DEFAULT_CONTENT_HUBS), doc="Node ids of each content "
        "region's hubs; every weighted region must be listed (estimate).")
    cagr: float = setting(DEFAULT_CAGR, low=-1.0, low_open=True, unit="per year",
                          doc="Growth of demand per year (TeleGeography, facts-inputs A7).")
    year: int | None = setting(None, kind="year", doc="Year the demand is for (default: "
                               "`base_year`).")

    def __post_init__(self) -> None:
        problems: list[Problem] = []
        clean = check_settings(self, where="", source="GravityParams", problems=problems)
        if not problems:
            clean = _cross_check(clean, "", "GravityParams", problems)
        if problems:
            raise ScenarioError("invalid demand parameters", problems)
        for name, value in clean.items():
            object.__setattr__(self, name, value)

    @classmethod
    def from_mapping(cls, d: Mapping[str, object], source: str = "scenario.toml", *,
                     where: str = "") -> GravityParams:
        """Build parameters from a mapping such as a parsed TOML table.

        Parameters
        ----------
        d : mapping
            Parameter names to values; absent names keep their defaults. Lists stand for
            tuples (TOML arrays).
        source : str
            The file the mapping came from, named in every problem.
        where : str
            Key path of the table in the file (e.g. ``"demand"``), prefixed to field names.

        Raises
        ------
        ScenarioError
            Listing every unknown key (with a "did you mean" hint) and every bad value.
        """
        problems: list[Problem] = []
        if not isinstance(d, Mapping):
            raise ScenarioError(f"demand parameters in {source!r} are invalid", [Problem(
                source, None, where or None,
                f"expected a table of parameters, got {type(d).__name__}")])
        params = _read_gravity(d, where, source, problems)
        if problems or params is None:
            raise ScenarioError(f"demand parameters in {source!r} are invalid", problems)
        return params

    @property
    def total_gbps(self) -> float:
        """Calibrated busy-hour total ``T`` for ``year``, Gbps."""
        return _total_gbps(self)


def _read_gravity(d: Mapping[str, object], where: str, source: str,
                  problems: list[Problem], ignore: Collection[str] = ()
                  ) -> GravityParams | None:
    """Read gravity parameters, appending problems (None when any value is bad)."""
    before = len(problems)
    # read into a plain namespace first: GravityParams() itself raises on bad values
    values = {}
    for f in fields(GravityParams):
        if f.name in d:
            values[f.name] = d[f.name]
    allowed = {f.name for f in fields(GravityParams)} | set(ignore)
    for key in sorted(set(d) - allowed, key=str):
        problems.append(Problem(source, None, f"{where}.{key}" if where else str(key),
                                "unknown key", did_you_mean(str(key), allowed)))
    probe = object.__new__(GravityParams)
    for f in fields(GravityParams):
        object.__setattr__(probe, f.name, values.get(f.name, getattr(_DEFAULTS, f.name)))
    if "year" not in values:
        object.__setattr__(probe, "year", None)
    clean = check_settings(probe, where=where, source=source, problems=problems)
    if len(problems) == before:
        clean = _cross_check(clean, where, source, problems)
    if len(problems) > before:
        return None
    return GravityParams(**clean)


def _total_gbps(p: GravityParams) -> float:
    year = p.base_year if p.year is None else p.year
    growth = _growth_factor(p.cagr, year - p.base_year)
    return p.asean_international_gbps * p.peak_utilisation * growth


def _growth_factor(cagr: float, years: int) -> float:
    """``(1 + cagr) ** years``, or ``inf`` when that overflows a float."""
    try:
        return (1.0 + cagr) ** years
    except OverflowError:
        return math.inf


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))


def _cross_check(values: dict[str, object], where: str, source: str,
                 problems: list[Problem]) -> dict[str, object]:
    """Checks across parameters (content regions, shares, the grown total) on values whose
    types and bounds have been checked; return them normalised."""
    out: dict[str, object] = dict(values)

    def bad(key: str, message: str, hint: str | None = None) -> None:
        problems.append(Problem(source, None, f"{where}.{key}" if where else key, message,
                                hint))

    if out["year"] is None:
        out["year"] = out["base_year"]
    weights = values["content_hub_weights"]
    assert isinstance(weights, Mapping)
    clean_weights: dict[str, float] = {}
    for region, w in weights.items():
        if not isinstance(region, str) or not region.strip():
            bad("content_hub_weights", f"region name {region!r} must be non-empty text")
        elif not _is_number(w) or not math.isfinite(float(w)) or float(w) < 0:
            bad("content_hub_weights",
                f"weight of region {region!r} must be a finite number >= 0, got {w!r}")
        else:
            clean_weights[region] = float(w)
    out["content_hub_weights"] = clean_weights
    hubs = values["content_hubs"]
    assert isinstance(hubs, Mapping)
    clean_hubs: dict[str, tuple[str, ...]] = {}
    for region, ids in hubs.items():
        if isinstance(ids, str) or not isinstance(ids, Sequence) or not ids:
            bad("content_hubs", f"hubs of region {region!r} must be a non-empty list of "
                f"node ids, got {ids!r}")
            continue
        if not all(isinstance(i, str) and i.strip() for i in ids):
            bad("content_hubs", f"hubs of region {region!r} must be node ids (text), "
                f"got {list(ids)!r}")
            continue
        tidy = tuple(i.strip() for i in ids)
        dupes = sorted({i for i in tidy if tidy.count(i) > 1})
        if dupes:
            bad("content_hubs", f"region {region!r} lists {', '.join(dupes)} twice")
            continue
        clean_hubs[str(region)] = tidy
    out["content_hubs"] = clean_hubs
    for region in weights:
        if region not in hubs:
            bad("content_hubs", f"weighted content region {region!r} has no hubs",
                did_you_mean(str(region), [str(r) for r in hubs]))
    for region in hubs:
        if region not in weights:
            bad("content_hub_weights", f"content region {region!r} has no weight",
                did_you_mean(str(region), [str(r) for r in weights]))
    content_share = float(out["content_share"])  # type: ignore[arg-type]
    if not any(w > 0 for w in clean_weights.values()) and content_share > 0:
        bad("content_hub_weights", "no region has a positive weight but content_share is "
            "above zero", "give at least one region a positive weight or set content_share = 0")
    if not problems:
        num = {k: float(v) for k, v in out.items() if _is_number(v)}  # type: ignore[arg-type]
        shares = num["content_share"] + num["china_asean_share"]
        if shares > 1.0:
            bad("china_asean_share", f"content_share + china_asean_share must be <= 1, got "
                f"{shares:g}")
        total = num["asean_international_gbps"] * num["peak_utilisation"] * _growth_factor(
            num["cagr"], int(num["year"] - num["base_year"]))
        if not (math.isfinite(total) and total > 0):
            bad("cagr", f"growth from {out['base_year']} to {out['year']} at cagr "
                f"{out['cagr']:g} gives a total of {total:g} Gbps",
                "use a smaller growth rate or a nearer year")
    return out


_DEFAULTS = GravityParams()


def class_totals_gbps(params: GravityParams) -> dict[str, float]:
    """Busy-hour total of each gravity-model traffic class, Gbps.

    Parameters
    ----------
    params : GravityParams

    Returns
    -------
    dict of str to float
        ``intra`` (between two members of the study's focus group, ``intra_asean``),
        ``partner`` (partner and focus group, ``china_asean``) and ``content`` (in that
        order); they sum to ``params.total_gbps``.
    """
    total = params.total_gbps
    return {
        "intra": (1.0 - params.content_share - params.china_asean_share) * total,
        "partner": params.china_asean_share * total,
        "content": params.content_share * total,
    }


# ---------------------------------------------------------------------- country indicators
def load_country_indicators(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a country indicator table such as ``seeds/country_indicators.csv``.

    Parameters
    ----------
    path : path-like
        CSV file with at least the columns ``country`` (ISO 3166-1 alpha-3) and
        ``internet_users_million`` (Internet users, millions). Other columns are kept, in
        file order: as floats where every non-empty cell is a number, else as text.

    Returns
    -------
    DataFrame
        Indexed by ``country``, in file order.

    Raises
    ------
    DemandError
        Listing every problem (file, line, field): unreadable file, missing columns,
        bad or duplicate country codes, missing, non-numeric or negative user counts.
    """
    name = str(path)
    problems: list[Problem] = []
    raw = read_csv_text(Path(path), problems)
    if raw is None:
        raise DemandError(f"country indicators {name!r} cannot be read", problems)
    columns = (
        Column("country", "str", "ISO 3166-1 alpha-3", True, False, "Country code."),
        Column("internet_users_million", "float", "million people", True, False,
               "Internet users.", min=0.0),
    )
    source = TableSource(name)
    table = coerce_table(raw, columns, source, problems)
    _check_countries(table["country"].tolist(), source, problems)
    if problems:
        raise DemandError(f"country indicators {name!r} are invalid", problems)
    for col in table.columns[2:]:
        table[col] = _maybe_numeric(table[col])
    order = [c for c in raw.columns if c in table.columns]
    return table[order].set_index("country")


def _check_countries(codes: list[object], source: TableSource, problems: list[Problem]) -> None:
    first: dict[str, int] = {}
    for pos, code in enumerate(codes):
        if code is None:
            continue
        if not _ISO3.match(str(code)):
            problems.append(source.problem(
                pos, "country", f"{code!r} is not an ISO 3166-1 alpha-3 code (e.g. SGP)"))
        elif code in first:
            problems.append(source.problem(
                pos, "country", f"duplicate country {code!r} (first at {source.row_label} "
                f"{first[code] + source.first_row})"))
        else:
            first[str(code)] = pos


def _maybe_numeric(values: pd.Series) -> pd.Series:
    """Return ``values`` as floats when every non-empty cell is a number, else unchanged."""
    parsed = []
    for value in values.tolist():
        if value is None:
            parsed.append(math.nan)
            continue
        try:
            parsed.append(float(value))
        except ValueError:
            return values
    return pd.Series(parsed, index=values.index, dtype=float)


def _country_users(countries: pd.DataFrame) -> tuple[dict[str, float], list[Problem]]:
    """Internet users (millions) by country from an indicator table, with problems."""
    problems: list[Problem] = []
    table = countries
    if "country" in table.columns and table.index.name != "country":
        table = table.set_index("country")
    if "internet_users_million" not in table.columns:
        problems.append(Problem("countries", None, "internet_users_million",
                                "required column is missing",
                                did_you_mean("internet_users_million",
                                             [str(c) for c in table.columns])))
        return {}, problems
    users: dict[str, float] = {}
    for pos, (code, value) in enumerate(zip(table.index.tolist(),
                                            table["internet_users_million"].tolist())):
        try:
            x = float(value)
        except (TypeError, ValueError):
            x = math.nan
        if not (math.isfinite(x) and x >= 0):
            problems.append(Problem("countries", pos + 1, "internet_users_million",
                                    f"users of {code!r} must be a finite number >= 0, "
                                    f"got {value!r}", row_label="row"))
            continue
        users[str(code)] = x
    return users, problems


# ---------------------------------------------------------------------- gravity model
def _demand_nodes(network: Network, users: dict[str, float], problems: list[Problem],
                  study: Study) -> tuple[list[str], dict[str, str], dict[str, float]]:
    """City/hub nodes of the focus and partner groups, sorted by id, with their countries
    and users."""
    nodes = network.nodes
    scope = set(study.focus_members) | set(study.partner_members)
    ids = sorted(str(i) for i, kind, country in zip(nodes.index, nodes["kind"], nodes["country"])
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
    dist = np.maximum(great_circle_km_array(ends_o[:, 0], ends_o[:, 1], ends_d[:, 0],
                                            ends_d[:, 1]), params.min_distance_km)
    log_w = (_log_power(u_o, params.users_exponent_origin)
             + _log_power(u_d, params.users_exponent_destination)
             - params.distance_exponent * np.log(dist))
    finite = np.isfinite(log_w)
    if not finite.any():
        problems.append(Problem("countries", None, "internet_users_million",
                                f"every node pair of the {name} traffic class has zero users "
                                f"at one end ({target:g} Gbps to place)"))
        return []
    weights = np.where(finite, np.exp(log_w - log_w[finite].max()), 0.0)
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
    for key, name, pairs in (("intra", study.intra_class, intra),
                             ("partner", study.partner_class, china)):
        volumes = _gravity_class(pairs, node_users, coords, params, targets[key], name,
                                 problems)
        for (o, d), v in zip(pairs, volumes):
            key = (name, o, d)
            rows[key] = rows.get(key, 0.0) + v

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
                    key = ("content", hub, c)
                    rows[key] = rows.get(key, 0.0) + per_hub * node_users[c] / mass
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
    cols = list(zip(*records)) if records else [()] * len(DEMAND_OUTPUT_COLUMNS)
    data = {}
    for name, values in zip(DEMAND_OUTPUT_COLUMNS, cols):
        data[name] = pd.Series(list(values), dtype=float if name == "gbps" else object)
    return pd.DataFrame(data, columns=list(DEMAND_OUTPUT_COLUMNS))


# ---------------------------------------------------------------------- classification
def classify_pairs(network: Network, origins: Sequence[str], destinations: Sequence[str],
                   params: GravityParams | None = None, *, study: Study) -> np.ndarray:
    """Traffic class of each (origin, destination) pair of node ids.

    The first matching rule wins: ``domestic`` (same country), ``intra_<focus>`` (both in
    the study's focus group), ``<partner>_<focus>`` (one in the partner group, one in the
    focus group), ``content`` (one end is a content hub node of ``params.content_hubs``
    outside the other end's country, and the other end is in the focus group), else
    ``other`` (also for ends without a country). In the China-ASEAN study the classes are
    ``intra_asean`` and ``china_asean``.

    Parameters
    ----------
    network : Network
    origins, destinations : sequence of str
        Node ids, of equal length.
    params : GravityParams, optional
        Supplies the content hubs (defaults: :class:`GravityParams`).
    study : Study
        Names the focus and partner groups.

    Returns
    -------
    numpy.ndarray of str
        One class of ``study.traffic_classes`` per pair.

    Raises
    ------
    DemandError
        When the sequences differ in length or name unknown nodes (with hints).
    """
    params = params or GravityParams()
    origins, destinations = list(origins), list(destinations)
    problems: list[Problem] = []
    if len(origins) != len(destinations):
        problems.append(Problem("pairs", None, None,
                                f"{len(origins)} origins but {len(destinations)} destinations"))
    nodes = network.nodes
    node_ids = [str(i) for i in nodes.index]
    for pos, (o, d) in enumerate(zip(origins, destinations)):
        for name, value in (("origin", o), ("destination", d)):
            if value not in nodes.index:
                problems.append(Problem("pairs", pos + 1, name, f"unknown node id {value!r}",
                                        did_you_mean(str(value), node_ids), "row"))
    if problems:
        raise DemandError("cannot classify demand pairs", problems)
    countries = {str(i): (None if not isinstance(c, str) or not c else c)
                 for i, c in zip(nodes.index, nodes["country"])}
    hubs = {h for ids in params.content_hubs.values() for h in ids}
    asean, partner = set(study.focus_members), set(study.partner_members)
    intra_class, partner_class = study.intra_class, study.partner_class
    out = np.empty(len(origins), dtype=object)
    for pos, (o, d) in enumerate(zip(origins, destinations)):
        co, cd = countries[o], countries[d]
        if co is None or cd is None:
            out[pos] = "other"
        elif co == cd:
            out[pos] = "domestic"
        elif co in asean and cd in asean:
            out[pos] = intra_class
        elif (co in partner and cd in asean) or (cd in partner and co in asean):
            out[pos] = partner_class
        elif (o in hubs and cd in asean) or (d in hubs and co in asean):
            out[pos] = "content"
        else:
            out[pos] = "other"
    return out.astype(str)


# ---------------------------------------------------------------------- user matrices
def load_demand_csv(path: str | os.PathLike[str], network: Network,
                    params: GravityParams | None = None, *, study: Study) -> pd.DataFrame:
    """Read a user demand matrix (CSV ``origin,destination,gbps``) against a network.

    Parameters
    ----------
    path : path-like
        CSV file; the header is line 1. Extra columns are kept as text.
    network : Network
        The topology the node ids refer to.
    params : GravityParams, optional
        Supplies the content hubs for :func:`classify_pairs`.
    study : Study
        Names the groups for :func:`classify_pairs`.

    Returns
    -------
    DataFrame
        Columns :data:`DEMAND_OUTPUT_COLUMNS` then the extra columns, in file order, with
        ``gbps`` in Gbps (rows of 0 Gbps are kept) and ``traffic_class`` from
        :func:`classify_pairs`.

    Raises
    ------
    DemandError
        Listing every problem, each with file, line and field: a missing, empty,
        non-UTF-8 or malformed file; missing columns; empty cells; unknown node ids (with
        "did you mean" hints); origin equal to destination; ``gbps`` that is not a
        number, not finite or negative; a repeated (origin, destination) pair (naming the
        line of its first use).
    """
    name = str(path)
    problems: list[Problem] = []
    raw = read_csv_text(Path(path), problems)
    if raw is None:
        raise DemandError(f"demand matrix {name!r} cannot be read", problems)
    source = TableSource(name)
    table = coerce_table(raw, DEMAND_CSV_COLUMNS, source, problems, allow_derived=False)
    node_ids = [str(i) for i in network.nodes.index]
    known = set(node_ids)
    first: dict[tuple[str, str], int] = {}
    for pos, (o, d) in enumerate(zip(table["origin"].tolist(), table["destination"].tolist())):
        for col, value in (("origin", o), ("destination", d)):
            if value is not None and value not in known:
                problems.append(source.problem(pos, col, f"unknown node id {value!r}",
                                               did_you_mean(value, node_ids)))
        if o is None or d is None:
            continue
        if o == d:
            problems.append(source.problem(pos, "destination",
                                           f"origin and destination are the same node {o!r}"))
            continue
        if (o, d) in first:
            problems.append(source.problem(
                pos, "destination", f"duplicate pair {o!r} -> {d!r} (first at line "
                f"{first[(o, d)] + source.first_row})", "merge the two rows"))
        else:
            first[(o, d)] = pos
    if problems:
        raise DemandError(f"demand matrix {name!r} is invalid", problems)
    origins = table["origin"].tolist()
    destinations = table["destination"].tolist()
    countries = network.nodes["country"].to_dict()
    out = pd.DataFrame({
        "origin": pd.Series(origins, dtype=object),
        "destination": pd.Series(destinations, dtype=object),
        "gbps": table["gbps"].astype(float).to_numpy(),
        "origin_country": pd.Series([countries.get(o) for o in origins], dtype=object),
        "destination_country": pd.Series([countries.get(d) for d in destinations],
                                         dtype=object),
        "traffic_class": pd.Series(classify_pairs(network, origins, destinations, params,
                                                  study=study),
                                   dtype=object),
    })
    for col in table.columns:
        if col not in out.columns:
            out[col] = pd.Series(table[col].tolist(), dtype=object)
    return out


# ---------------------------------------------------------------------- growth
def grow_demand(demand: pd.DataFrame, from_year: int, to_year: int,
                cagr: float) -> pd.DataFrame:
    """Scale a demand table from one year to another at a constant annual growth rate.

    Parameters
    ----------
    demand : DataFrame
        A demand table with a ``gbps`` column (Gbps).
    from_year, to_year : int
        Year of ``demand`` and the year wanted (may be earlier).
    cagr : float
        Growth per year as a fraction (0.30 is +30% a year); must be > -1.

    Returns
    -------
    DataFrame
        A copy with ``gbps`` multiplied by ``(1 + cagr) ** (to_year - from_year)``.

    Raises
    ------
    DemandError
        When ``gbps`` is missing, the years are not whole numbers, ``cagr`` is not a
        finite number above -1, or the growth factor overflows.
    """
    problems: list[Problem] = []
    if "gbps" not in demand.columns:
        problems.append(Problem("demand", None, "gbps", "required column is missing"))
    for label, year in (("from_year", from_year), ("to_year", to_year)):
        if not _is_number(year) or not math.isfinite(float(year)) or float(year) != int(year):
            problems.append(Problem("grow_demand", None, label,
                                    f"must be a whole year, got {year!r}"))
    if not _is_number(cagr) or not math.isfinite(float(cagr)) or float(cagr) <= -1.0:
        problems.append(Problem("grow_demand", None, "cagr",
                                f"must be a finite number > -1, got {cagr!r}"))
    if not problems:
        factor = _growth_factor(float(cagr), int(to_year) - int(from_year))
        if not math.isfinite(factor):
            problems.append(Problem("grow_demand", None, "cagr",
                                    f"growth factor over {int(to_year) - int(from_year)} "
                                    f"years at {float(cagr):g} overflows"))
    if problems:
        raise DemandError("cannot grow the demand", problems)
    out = demand.copy()
    out["gbps"] = out["gbps"].astype(float) * factor
    return out
