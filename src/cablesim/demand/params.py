"""The gravity model's parameters, declared as settings, and its calibrated class totals.

:class:`GravityParams` fields are settings of an experiment's ``[demand]`` table (declared
once with their units, bounds, defaults and sources; ``docs/settings.md``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np

from cablesim._errors import Problem, ScenarioError, did_you_mean
from cablesim.schema import MAX_GBPS
from cablesim.settings import check_settings, setting

DEFAULT_INTERNATIONAL_GBPS = 7430.0
"""International Internet bandwidth of the ASEAN countries, Gbps: "increased by nearly 165
times, up to 7430G" (CAICT, China-ASEAN Information Technology Development and Cooperation,
2016, sec. II.(I).2, seed text L749-751; claim ``asean_intl_bandwidth`` in
``seeds/claims.csv``, printed "7430G", read as Gbps)."""

DEFAULT_BASE_YEAR = 2015
"""Year of :data:`DEFAULT_INTERNATIONAL_GBPS` (estimate: the report, published in 2016 with
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



DEFAULT_ZONE_HUBS: Mapping[str, tuple[str, ...]] = {
    "US": ("USLAX", "USSJC"),
    "EU": ("GBLON", "DEFRA", "FRMRS", "NLAMS"),
    "JP": ("JPTYO",),
    "HK": ("HKHKG",),
}
"""Node ids of the regions outside the study that send traffic to it under
``totals = "countries"`` (estimate: the cable-landing and data-centre cities through which
each region's traffic reaches Southeast Asia and China)."""

DEFAULT_ZONE_SHARES: Mapping[str, float] = {"US": 0.40, "EU": 0.28}
"""Share of the study countries' inbound international traffic sent from each region
outside Asia: TeleGeography, Asia's international Internet bandwidth connected to the
US/Canada "nearly 40%" and to Europe 28% in 2013 (CommsUpdate, 17 Oct 2013;
``calibration/demand_shares.csv``), the cited year nearest 2016."""

DEFAULT_ZONE_GBPS: Mapping[str, float] = {"JP": 942.0, "HK": 2505.0}
"""Gravity masses (Gbps) of the Asian regions outside the study, whose share is not fixed:
Japan's international inflow to cooperating ISPs, May 2015 (942 Gbps, MIC traffic survey
via SankeiBiz, 30 Sep 2015); Hong Kong's international routes to mainland China (~1,000),
Japan (608), the US (384), Singapore (304) and Taiwan (209 Gbps), Mar 2015 (OFCA data,
iemoto.com), summed (``calibration/demand_shares.csv``)."""

DEFAULT_HUB_TRANSIT_SHARE: Mapping[str, float] = {"SGP": 0.17}
"""Share of a hub country's international bandwidth that carries other countries' traffic
through it (derived: APJII says about 60% of Indonesia's international bandwidth was bought
from Singapore in early 2014; Indonesia's 2014 bandwidth was 840 Gbps (ITU), 60% of it
504 Gbps, 17% of Singapore's 2,976 Gbps (median of ITU 2,952 and Terabit 3,000, 2014).
Other countries' transit via Singapore is left out, so this is a lower bound; the routed
``carried_over_busy_hour`` of ``countries.csv`` shows how much the model sends through)."""


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
        DEFAULT_BASE_YEAR, kind="year", doc="Year of `international_gbps` "
        "(estimate: the seed report's 'recent years', read as 2015).")
    international_gbps: float = setting(
        DEFAULT_INTERNATIONAL_GBPS, low=0.0, low_open=True, high=MAX_GBPS, unit="Gbps",
        doc="International "
        "Internet bandwidth of the study's focus group in `base_year` (default: ASEAN's, "
        "CAICT 2016, seed claim `asean_intl_bandwidth`).")
    peak_utilisation: float = setting(
        0.5, low=0.0, low_open=True, high=1.0, doc="Share of the international capacity "
        "carried at the busy hour (estimate: operators upgrade at 50-70% busy-hour load).")
    content_share: float = setting(
        0.6, low=0.0, high=1.0, doc="Share of the total that is content downloads from the "
        "content hubs (estimate).")
    partner_share: float = setting(
        0.1, low=0.0, high=1.0, doc="Share of the total exchanged between the partner and the "
        "focus group (China and ASEAN), both directions (estimate); the rest is "
        "international traffic within the focus group.")
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
    totals: str = setting(
        "focus", choices=("focus", "countries"), doc="`focus`: one total, "
        "`international_gbps`, spread by Internet users (the seed's ASEAN figure); "
        "`countries`: each study country receives its own cited international bandwidth "
        "times `peak_utilisation` (less its `hub_transit_share`), fitted by iterative "
        "proportional fitting (needs the study's `bandwidth` table; docs/demand.md).")
    zone_hubs: Mapping[str, tuple[str, ...]] = setting(
        default_factory=lambda: dict(DEFAULT_ZONE_HUBS), doc="`totals = \"countries\"`: "
        "node ids of each region outside the study that sends traffic to it (estimate).")
    zone_shares: Mapping[str, float] = setting(
        default_factory=lambda: dict(DEFAULT_ZONE_SHARES), low=0.0, high=1.0,
        doc="`totals = \"countries\"`: share of the study's inbound traffic sent from a "
        "region, fixed (TeleGeography 2013: US 40%, Europe 28% of Asia's international "
        "bandwidth).")
    zone_gbps: Mapping[str, float] = setting(
        default_factory=lambda: dict(DEFAULT_ZONE_GBPS), low=0.0, low_open=True,
        unit="Gbps", doc="`totals = \"countries\"`: gravity mass of a region whose share "
        "is not fixed (Japan 942 Gbps, MIC 2015; Hong Kong 2,505 Gbps, OFCA 2015).")
    background_countries: tuple[str, ...] = setting(
        ("JPN", "KOR", "TWN", "IND"), kind="iso3", doc="`totals = \"countries\"`: "
        "countries outside the study whose own traffic (from the US, Europe, Hong Kong and "
        "each other) is loaded on the same cables as traffic class `background`, each "
        "receiving its cited bandwidth at the busy hour; empty: none (docs/demand.md).")
    hub_transit_share: Mapping[str, float] = setting(
        default_factory=lambda: dict(DEFAULT_HUB_TRANSIT_SHARE), low=0.0, high=1.0,
        high_open=True, doc="`totals = \"countries\"`: share of a hub country's "
        "international bandwidth carrying other countries' traffic (Singapore 0.17, derived "
        "from APJII 2014, a lower bound; docs/demand.md).")

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
        params = read_gravity(d, where, source, problems)
        if problems or params is None:
            raise ScenarioError(f"demand parameters in {source!r} are invalid", problems)
        return params

    @property
    def total_gbps(self) -> float:
        """Calibrated busy-hour total ``T`` for ``year``, Gbps."""
        return _total_gbps(self)


def read_gravity(d: Mapping[str, object], where: str, source: str,
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
    return p.international_gbps * p.peak_utilisation * growth


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
    zone_hubs = values["zone_hubs"]
    assert isinstance(zone_hubs, Mapping)
    clean_zones: dict[str, tuple[str, ...]] = {}
    for region, ids in zone_hubs.items():
        if isinstance(ids, str) or not isinstance(ids, Sequence) or not ids or not all(
                isinstance(i, str) and i.strip() for i in ids):
            bad("zone_hubs", f"hubs of region {region!r} must be a non-empty list of node "
                f"ids, got {ids!r}")
            continue
        clean_zones[str(region)] = tuple(i.strip() for i in ids)
    out["zone_hubs"] = clean_zones
    shares_z = values["zone_shares"]
    masses_z = values["zone_gbps"]
    assert isinstance(shares_z, Mapping) and isinstance(masses_z, Mapping)
    for key, table in (("zone_shares", shares_z), ("zone_gbps", masses_z)):
        for region in table:
            if region not in zone_hubs:
                bad(key, f"region {region!r} has no hubs in zone_hubs",
                    did_you_mean(str(region), [str(r) for r in zone_hubs]))
    for region in zone_hubs:
        if (region in shares_z) == (region in masses_z):
            bad("zone_hubs", f"region {region!r} needs exactly one of a fixed share "
                "(zone_shares) or a gravity mass (zone_gbps)")
    if sum(float(v) for v in shares_z.values()) >= 1.0:
        bad("zone_shares", f"the fixed shares sum to {sum(shares_z.values()):g}; they must "
            "leave room for the rest (< 1)")
    content_share = float(out["content_share"])  # type: ignore[arg-type]
    if not any(w > 0 for w in clean_weights.values()) and content_share > 0:
        bad("content_hub_weights", "no region has a positive weight but content_share is "
            "above zero", "give at least one region a positive weight or set content_share = 0")
    if not problems:
        num = {k: float(v) for k, v in out.items() if _is_number(v)}  # type: ignore[arg-type]
        shares = num["content_share"] + num["partner_share"]
        if shares > 1.0:
            bad("partner_share", f"content_share + partner_share must be <= 1, got "
                f"{shares:g}")
        total = num["international_gbps"] * num["peak_utilisation"] * _growth_factor(
            num["cagr"], int(num["year"] - num["base_year"]))
        if not (math.isfinite(total) and 0 < total <= MAX_GBPS):
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
        "intra": (1.0 - params.content_share - params.partner_share) * total,
        "partner": params.partner_share * total,
        "content": params.content_share * total,
    }




__all__ = ["DEFAULT_INTERNATIONAL_GBPS", "DEFAULT_BASE_YEAR", "DEFAULT_CAGR",
           "DEFAULT_ZONE_HUBS", "DEFAULT_ZONE_SHARES", "DEFAULT_ZONE_GBPS",
           "DEFAULT_HUB_TRANSIT_SHARE",
           "DEFAULT_CONTENT_HUB_WEIGHTS", "DEFAULT_CONTENT_HUBS", "GravityParams",
           "read_gravity", "class_totals_gbps"]
