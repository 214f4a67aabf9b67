"""Plan files: which links may be extended, at what cost, over which years (TOML).

A plan file refers to an experiment file for the topology, demand, exchange policies and
link edits of its scenarios, and adds the planning settings::

    [planning]
    experiment = "hairpin_vs_guangxi.toml"      # relative to this file
    scenarios = ["hairpin_us", "regional_hubs", "guangxi_hub"]
    years = [2025, 2030, 2035]
    discount_rate = 0.08
    lifetime_years = 25
    om_share = 0.03
    integer_modules = false

    [[extend]]
    links = ["system:Proposed Guangxi*"]        # link selectors as in cablesim.experiment
    scenarios = ["guangxi_hub"]                 # default: every scenario
    fixed_capex_from_links = true               # the links' capex_usd column
    capex_usd_per_gbps = 500
    max_add_gbps = "capacity"                   # the links' capacity_gbps
    module_gbps = 100

    [business_case]
    hub = "guangxi_hub"
    baselines = ["hairpin_us", "regional_hubs"]

    [[sensitivity]]
    parameter = "capex_scale"
    low = 0.5
    high = 2.0

Every problem in the file is reported at once, each naming the file and the key, with "did
you mean" hints for unknown keys, scenario names and node ids. The keys and their defaults are
documented in ``docs/planning.md``.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cablesim._errors import Problem, ScenarioError, did_you_mean
from cablesim.experiment import Experiment, load_experiment
from cablesim.io.topology import load_topology
from cablesim.network import Network
from cablesim.selectors import match_links, parse_selectors

__all__ = [
    "PlanningSettings",
    "ExtendSpec",
    "SensitivitySpec",
    "BusinessCase",
    "Plan",
    "SENSITIVITY_PARAMETERS",
    "load_plan",
]

_TOP_KEYS = {"planning", "variant", "extend", "business_case", "sensitivity"}
_PLANNING_KEYS = {
    "experiment", "name", "description", "scenarios", "years", "horizon_end",
    "discount_rate", "lifetime_years", "om_share", "integer_modules", "integer_builds",
    "unmet_penalty_usd_per_mbps_month", "lease_price_trend", "lease_price_year",
    "transit_price_trend", "transit_price_year", "lease_price_scale", "transit_price_scale",
    "capex_scale", "cagr", "transit_prices", "optimality_gap", "max_iterations",
    "mip_rel_gap",
}
_EXTEND_KEYS = {
    "links", "scenarios", "ownership", "capex_usd_per_gbps_km", "capex_usd_per_gbps",
    "capex_usd_per_km", "fixed_capex_usd", "fixed_capex_from_links", "lifetime_years",
    "om_share", "min_add_gbps", "max_add_gbps", "module_gbps", "must_build", "citation",
}
_VARIANT_KEYS = {"name", "scenario", "description"}
_CASE_KEYS = {"hub", "baselines"}
_SENSITIVITY_KEYS = {"parameter", "low", "high", "label"}

SENSITIVITY_PARAMETERS: dict[str, str] = {
    "transit_price_scale": "transit prices (x)",
    "lease_price_scale": "lease prices (x)",
    "capex_scale": "capex (x)",
    "discount_rate": "discount rate",
    "om_share": "O&M share of capex",
    "lifetime_years": "lifetime (years)",
    "cagr": "demand growth a year",
    "lease_price_trend": "lease price change a year",
    "transit_price_trend": "transit price change a year",
}
"""Parameters a ``[[sensitivity]]`` table may vary (and their chart labels); also
``transit_price:<node id>``, the transit price at one hub (USD per Mbps per month)."""


@dataclass(frozen=True)
class PlanningSettings:
    """The ``[planning]`` table (every field documented in ``docs/planning.md``).

    Attributes
    ----------
    years : tuple of int
        Planning years, increasing (default 2025, 2030, 2035); each is solved in turn and
        capacity built in one stays for the next.
    horizon_end : int
        Last calendar year of the business case (default: last year + the last step - 1).
    discount_rate : float
        Per year, for annualising capex and for present values (default 0.08, estimate:
        a typical infrastructure cost of capital, as ``cablesim.experiment.CostSettings``).
    lifetime_years : float
        Economic life of built capacity (default 25: wet-plant design life,
        facts-inputs A4.3).
    om_share : float
        Annual O&M as a share of capex (default 0.03, estimate: facts-inputs A4.3 found no
        published figure).
    integer_modules : bool
        Additions in whole modules (MILP); default False (LP relaxation).
    integer_builds : bool
        Fixed-capex build decisions are binary (MILP); default True.
    unmet_penalty_usd_per_mbps_month : float
        Cost of unserved demand (default 1000: far above any lease or transit price).
    lease_price_trend, transit_price_trend : float
        Annual change of lease and transit prices from ``lease_price_year`` and
        ``transit_price_year`` (default 0: constant prices).
    lease_price_year, transit_price_year : int
        Year of the topology's lease and transit prices (default 2014 and 2015).
    lease_price_scale, transit_price_scale, capex_scale : float
        Multipliers (default 1), e.g. for sensitivity runs.
    cagr : float or None
        Demand growth a year replacing the demand model's (None: the model's).
    transit_prices : dict of str to float
        Transit price overrides per hub node, USD per Mbps per month.
    optimality_gap, max_iterations, mip_rel_gap
        Solver settings (see :class:`cablesim.planning.model.YearProblem`).
    """

    years: tuple[int, ...] = (2025, 2030, 2035)
    horizon_end: int | None = None
    discount_rate: float = 0.08
    lifetime_years: float = 25.0
    om_share: float = 0.03
    integer_modules: bool = False
    integer_builds: bool = True
    unmet_penalty_usd_per_mbps_month: float = 1000.0
    lease_price_trend: float = 0.0
    lease_price_year: int = 2014
    transit_price_trend: float = 0.0
    transit_price_year: int = 2015
    lease_price_scale: float = 1.0
    transit_price_scale: float = 1.0
    capex_scale: float = 1.0
    cagr: float | None = None
    transit_prices: Mapping[str, float] = field(default_factory=dict, hash=False)
    optimality_gap: float = 1e-4
    max_iterations: int = 100
    mip_rel_gap: float = 1e-4

    @property
    def horizon(self) -> tuple[int, int]:
        """First and last calendar year of the business case."""
        if self.horizon_end is not None:
            return self.years[0], self.horizon_end
        step = self.years[-1] - self.years[-2] if len(self.years) > 1 else 1
        return self.years[0], self.years[-1] + step - 1

    def lease_factor(self, year: int) -> float:
        """Multiplier on the topology's lease prices in ``year``."""
        return self.lease_price_scale * (1.0 + self.lease_price_trend) ** (
            year - self.lease_price_year)

    def transit_factor(self, year: int) -> float:
        """Multiplier on hub transit prices in ``year``."""
        return self.transit_price_scale * (1.0 + self.transit_price_trend) ** (
            year - self.transit_price_year)


@dataclass(frozen=True)
class ExtendSpec:
    """One ``[[extend]]`` table: links that may be extended and the cost of doing so.

    Attributes
    ----------
    selectors : tuple of str
        Link selectors (``id:``, ``system:``, ``status:``, ``kind:``, ``tag:``, ``area:``).
    scenarios : tuple of str or None
        Scenarios it applies to (None: all).
    ownership : str
        ``"build"``: the planner builds and owns the added capacity (traffic on it pays no
        lease); ``"lease"``: the capacity is bought from the market (traffic on it pays the
        link's lease price; capex, if any, is an activation charge). A ``"lease"`` table
        without capex, modules or limits is plain market capacity: the link is simply not
        capacity-limited.
    capex_usd_per_gbps_km, capex_usd_per_gbps : float
        Variable capex per Gbps added (per direction), per km of the link and per Gbps.
    capex_usd_per_km, fixed_capex_usd : float
        Fixed capex of the first build: per km of the link, and per link.
    fixed_capex_from_links : bool
        Add each link's ``capex_usd`` (the topology's cited build cost) to its fixed capex.
    lifetime_years, om_share : float or None
        Overrides of the ``[planning]`` values.
    min_add_gbps : float
        Least first build.
    max_add_gbps : float or str or None
        Most capacity added over the horizon; ``"capacity"`` for each link's
        ``capacity_gbps``; None for no limit.
    module_gbps : float
        Module size (0: none).
    must_build : bool or tuple of str
        Build the links in the first planning year whatever they save (a committed
        project): in every scenario the table applies to (True) or in those named.
    citation : str
        Where the numbers come from.
    where : str
        ``extend[i]``, for messages.
    """

    selectors: tuple[str, ...]
    scenarios: tuple[str, ...] | None = None
    ownership: str = "build"
    capex_usd_per_gbps_km: float = 0.0
    capex_usd_per_gbps: float = 0.0
    capex_usd_per_km: float = 0.0
    fixed_capex_usd: float = 0.0
    fixed_capex_from_links: bool = False
    lifetime_years: float | None = None
    om_share: float | None = None
    min_add_gbps: float = 0.0
    max_add_gbps: float | str | None = None
    module_gbps: float = 0.0
    must_build: bool | tuple[str, ...] = False
    citation: str = ""
    where: str = "extend"

    def forced(self, scenario: str) -> bool:
        """Whether the links must be built in ``scenario``."""
        return self.must_build is True or (isinstance(self.must_build, tuple)
                                           and scenario in self.must_build)

    @property
    def is_market(self) -> bool:
        """A lease table without capex, modules or limits: the link is not capacity-limited."""
        return (self.ownership == "lease" and self.capex_usd_per_gbps_km == 0
                and self.capex_usd_per_gbps == 0 and self.capex_usd_per_km == 0
                and self.fixed_capex_usd == 0 and not self.fixed_capex_from_links
                and self.min_add_gbps == 0 and self.max_add_gbps is None
                and self.module_gbps == 0 and self.must_build is False)


@dataclass(frozen=True)
class SensitivitySpec:
    """One ``[[sensitivity]]`` table: a parameter and its low and high values."""

    parameter: str
    low: float
    high: float
    label: str = ""


@dataclass(frozen=True)
class BusinessCase:
    """The ``[business_case]`` table: the hub scenario and the baselines it is compared to."""

    hub: str
    baselines: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """A parsed and checked plan file.

    ``variants`` maps the name of each ``[[variant]]`` (a copy of an experiment scenario
    that extend tables can treat differently, e.g. with its links committed) to the
    scenario it copies, and to its description.
    """

    name: str
    description: str
    path: Path
    experiment: Experiment
    network: Network = field(repr=False)
    scenarios: tuple[str, ...]
    settings: PlanningSettings
    extends: tuple[ExtendSpec, ...]
    business_case: BusinessCase | None
    sensitivity: tuple[SensitivitySpec, ...]
    input_hash: str
    variants: Mapping[str, tuple[str, str]] = field(default_factory=dict)


# ---------------------------------------------------------------------------- helpers
def _read(path: Path) -> dict[str, Any]:
    source = str(path)
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"plan file {source!r} does not exist",
                            [Problem(source, None, None, "no such file")]) from None
    except IsADirectoryError:
        raise ScenarioError(f"{source!r} is a folder", [Problem(
            source, None, None, "expected a TOML plan file")]) from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{source!r} cannot be read", [Problem(
            source, None, None, "is not UTF-8 text")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source!r} is not valid TOML", [Problem(
            source, getattr(exc, "lineno", None), None, str(exc).split(" (at line")[0])
        ]) from None


class _Reader:
    """Typed access to TOML values, collecting located problems."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, key: str | None, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.source, None, key, message, hint))

    def unknown(self, table: Mapping[str, Any], allowed: set[str], where: str) -> None:
        for key in sorted(set(table) - allowed):
            hint = did_you_mean(key, allowed)
            starts = sorted(a for a in allowed if a.startswith(str(key)))
            if hint is None and starts:
                hint = "did you mean " + " or ".join(f"'{a}'" for a in starts[:4]) + "?"
            self.add(f"{where}.{key}" if where else key, "unknown key", hint)

    def table(self, value: Any, where: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.add(where, "must be a table")
            return {}
        return dict(value)

    def tables(self, value: Any, where: str) -> list[dict[str, Any]]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.add(where, f"must be an array of tables ([[{where}]])")
            return []
        return [dict(v) for v in value]

    def number(self, table: Mapping[str, Any], key: str, default: float, where: str,
               low: float | None = None, high: float | None = None,
               low_open: bool = False) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
                float(value)):
            self.add(f"{where}.{key}", f"must be a finite number, got {value!r}")
            return default
        value = float(value)
        if low is not None and (value < low or (low_open and value == low)):
            self.add(f"{where}.{key}", f"must be {'>' if low_open else '>='} {low:g}, "
                     f"got {value:g}")
        if high is not None and value > high:
            self.add(f"{where}.{key}", f"must be <= {high:g}, got {value:g}")
        return value

    def year(self, table: Mapping[str, Any], key: str, default: int | None,
             where: str) -> int | None:
        value = table.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1850 <= value <= 2100:
            self.add(f"{where}.{key}", f"must be a whole year from 1850 to 2100, got {value!r}")
            return default
        return int(value)

    def flag(self, table: Mapping[str, Any], key: str, default: bool, where: str) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.add(f"{where}.{key}", f"must be true or false, got {value!r}")
            return default
        return value

    def names(self, table: Mapping[str, Any], key: str, where: str,
              known: list[str]) -> tuple[str, ...] | None:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(f"{where}.{key}", "must be a list of scenario names")
            return ()
        for name in value:
            if name not in known:
                self.add(f"{where}.{key}", f"unknown scenario {name!r}",
                         did_you_mean(name, known))
        return tuple(value)


# ---------------------------------------------------------------------------- parsing
def _settings(raw: Mapping[str, Any], r: _Reader, node_ids: list[str]) -> PlanningSettings:
    w = "planning"
    d = PlanningSettings()
    years_raw = raw.get("years", list(d.years))
    years: tuple[int, ...] = d.years
    if (not isinstance(years_raw, list) or not years_raw
            or not all(isinstance(y, int) and not isinstance(y, bool) and 1850 <= y <= 2100
                       for y in years_raw)):
        r.add(f"{w}.years", f"must be a list of whole years, got {years_raw!r}")
    elif any(b <= a for a, b in zip(years_raw, years_raw[1:])):
        r.add(f"{w}.years", f"must increase, got {years_raw!r}")
    else:
        years = tuple(int(y) for y in years_raw)
    horizon_end = r.year(raw, "horizon_end", None, w)
    if horizon_end is not None and horizon_end < years[-1]:
        r.add(f"{w}.horizon_end", f"must not be before the last planning year {years[-1]}, "
              f"got {horizon_end}")
    prices_raw = r.table(raw.get("transit_prices"), f"{w}.transit_prices")
    prices: dict[str, float] = {}
    for node, value in prices_raw.items():
        if node not in node_ids:
            r.add(f"{w}.transit_prices.{node}", f"unknown node id {node!r}",
                  did_you_mean(node, node_ids))
        prices[node] = r.number(prices_raw, node, 0.0, f"{w}.transit_prices", 0.0)
    cagr = None
    if "cagr" in raw:
        cagr = r.number(raw, "cagr", 0.3, w, -1.0, None, True)
    iterations = raw.get("max_iterations", d.max_iterations)
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        r.add(f"{w}.max_iterations", f"must be a whole number >= 1, got {iterations!r}")
        iterations = d.max_iterations
    return PlanningSettings(
        years=years,
        horizon_end=horizon_end,
        discount_rate=r.number(raw, "discount_rate", d.discount_rate, w, 0.0, 1.0),
        lifetime_years=r.number(raw, "lifetime_years", d.lifetime_years, w, 0.0, None, True),
        om_share=r.number(raw, "om_share", d.om_share, w, 0.0, 1.0),
        integer_modules=r.flag(raw, "integer_modules", d.integer_modules, w),
        integer_builds=r.flag(raw, "integer_builds", d.integer_builds, w),
        unmet_penalty_usd_per_mbps_month=r.number(
            raw, "unmet_penalty_usd_per_mbps_month", d.unmet_penalty_usd_per_mbps_month, w,
            0.0, None, True),
        lease_price_trend=r.number(raw, "lease_price_trend", 0.0, w, -1.0, None, True),
        lease_price_year=r.year(raw, "lease_price_year", d.lease_price_year, w) or 2014,
        transit_price_trend=r.number(raw, "transit_price_trend", 0.0, w, -1.0, None, True),
        transit_price_year=r.year(raw, "transit_price_year", d.transit_price_year, w) or 2015,
        lease_price_scale=r.number(raw, "lease_price_scale", 1.0, w, 0.0),
        transit_price_scale=r.number(raw, "transit_price_scale", 1.0, w, 0.0),
        capex_scale=r.number(raw, "capex_scale", 1.0, w, 0.0),
        cagr=cagr,
        transit_prices=prices,
        optimality_gap=r.number(raw, "optimality_gap", d.optimality_gap, w, 0.0, 1.0),
        max_iterations=int(iterations),
        mip_rel_gap=r.number(raw, "mip_rel_gap", d.mip_rel_gap, w, 0.0, 1.0),
    )


def _extend(raw: Mapping[str, Any], where: str, r: _Reader, scenarios: list[str],
            network: Network) -> ExtendSpec:
    r.unknown(raw, _EXTEND_KEYS, where)
    if "links" not in raw:
        r.add(f"{where}.links", "is missing: give link selectors such as "
              "'system:Proposed Guangxi*'")
    selectors = parse_selectors(raw.get("links"), f"{where}.links", r.source, r.problems)
    known_kinds = ("id", "system", "status", "kind", "tag", "area")
    for sel in selectors:
        if ":" in sel and sel.split(":", 1)[0] in known_kinds:
            try:
                hit = match_links(network.links, sel)
            except Exception:  # noqa: BLE001 - a malformed area is reported by parse_selectors
                continue
            if not hit.any():
                r.add(f"{where}.links", f"selector {sel!r} matches no link")
    ownership = raw.get("ownership", "build")
    if ownership not in ("build", "lease"):
        r.add(f"{where}.ownership", f"must be 'build' or 'lease', got {ownership!r}",
              did_you_mean(str(ownership), ["build", "lease"]))
        ownership = "build"
    max_add = raw.get("max_add_gbps")
    if isinstance(max_add, str):
        if max_add != "capacity":
            r.add(f"{where}.max_add_gbps", f"must be a number of Gbps or 'capacity' (each "
                  f"link's capacity_gbps), got {max_add!r}", did_you_mean(max_add, ["capacity"]))
            max_add = None
    elif max_add is not None:
        max_add = r.number(raw, "max_add_gbps", 0.0, where, 0.0)
    citation = raw.get("citation", "")
    if not isinstance(citation, str):
        r.add(f"{where}.citation", "must be text")
        citation = ""
    must: bool | tuple[str, ...] = False
    if isinstance(raw.get("must_build"), bool):
        must = bool(raw["must_build"])
    elif "must_build" in raw:
        if not isinstance(raw["must_build"], list):
            r.add(f"{where}.must_build", "must be true, false or a list of scenario names")
        else:
            must = r.names(raw, "must_build", where, scenarios) or ()
    return ExtendSpec(
        selectors=selectors,
        scenarios=r.names(raw, "scenarios", where, scenarios),
        ownership=str(ownership),
        capex_usd_per_gbps_km=r.number(raw, "capex_usd_per_gbps_km", 0.0, where, 0.0),
        capex_usd_per_gbps=r.number(raw, "capex_usd_per_gbps", 0.0, where, 0.0),
        capex_usd_per_km=r.number(raw, "capex_usd_per_km", 0.0, where, 0.0),
        fixed_capex_usd=r.number(raw, "fixed_capex_usd", 0.0, where, 0.0),
        fixed_capex_from_links=r.flag(raw, "fixed_capex_from_links", False, where),
        lifetime_years=(r.number(raw, "lifetime_years", 25.0, where, 0.0, None, True)
                        if "lifetime_years" in raw else None),
        om_share=(r.number(raw, "om_share", 0.03, where, 0.0, 1.0)
                  if "om_share" in raw else None),
        min_add_gbps=r.number(raw, "min_add_gbps", 0.0, where, 0.0),
        max_add_gbps=max_add,
        module_gbps=r.number(raw, "module_gbps", 0.0, where, 0.0),
        must_build=must,
        citation=citation,
        where=where,
    )


def _sensitivity(raw: Mapping[str, Any], where: str, r: _Reader,
                 node_ids: list[str]) -> SensitivitySpec | None:
    r.unknown(raw, _SENSITIVITY_KEYS, where)
    name = raw.get("parameter")
    choices = list(SENSITIVITY_PARAMETERS) + ["transit_price:<node id>"]
    if not isinstance(name, str):
        r.add(f"{where}.parameter", "is missing: one of " + ", ".join(choices))
        return None
    low_bound: float | None = 0.0
    low_open = False
    if name.startswith("transit_price:"):
        node = name.split(":", 1)[1]
        if node not in node_ids:
            r.add(f"{where}.parameter", f"unknown node id {node!r}", did_you_mean(node, node_ids))
    elif name not in SENSITIVITY_PARAMETERS:
        r.add(f"{where}.parameter", f"unknown parameter {name!r}; one of " + ", ".join(choices),
              did_you_mean(name, list(SENSITIVITY_PARAMETERS)))
        return None
    elif name in ("cagr", "lease_price_trend", "transit_price_trend"):
        low_bound, low_open = -1.0, True
    elif name == "lifetime_years":
        low_open = True
    high_bound = 1.0 if name in ("discount_rate", "om_share") else None
    for key in ("low", "high"):
        if key not in raw:
            r.add(f"{where}.{key}", "is missing")
    low = r.number(raw, "low", 0.0, where, low_bound, high_bound, low_open)
    high = r.number(raw, "high", 0.0, where, low_bound, high_bound, low_open)
    label = raw.get("label", "")
    if not isinstance(label, str):
        r.add(f"{where}.label", "must be text")
        label = ""
    return SensitivitySpec(name, low, high, label)


def load_plan(path: str | Path) -> Plan:
    """Read and check a plan file, its experiment and topology.

    Raises
    ------
    ScenarioError
        Listing every problem (unknown keys with hints, bad values, unknown scenarios or
        node ids, selectors that match no link), each naming the file and the key; problems
        of the experiment file are reported as they are by
        :func:`cablesim.experiment.load_experiment`.
    """
    file = Path(path)
    doc = _read(file)
    source = str(file)
    r = _Reader(source)
    r.unknown(doc, _TOP_KEYS, "")
    raw = r.table(doc.get("planning"), "planning")
    r.unknown(raw, _PLANNING_KEYS, "planning")
    if "experiment" not in raw or not isinstance(raw.get("experiment"), str):
        r.add("planning.experiment", "is missing: give the experiment file (relative to this "
              "file) whose topology, demand and scenarios to plan")
        raise ScenarioError(f"plan {source!r} is invalid", r.problems)
    experiment_path = (file.parent / raw["experiment"]).resolve()
    if not experiment_path.is_file():
        r.add("planning.experiment", f"file {str(experiment_path)!r} does not exist")
        raise ScenarioError(f"plan {source!r} is invalid", r.problems)
    experiment = load_experiment(experiment_path)
    network = load_topology(experiment.topology)
    node_ids = [str(n) for n in network.nodes.index]
    known = [s.name for s in experiment.scenarios]
    variants: dict[str, tuple[str, str]] = {}
    for i, t in enumerate(r.tables(doc.get("variant"), "variant")):
        where = f"variant[{i}]"
        r.unknown(t, _VARIANT_KEYS, where)
        vname, base = t.get("name"), t.get("scenario")
        if not isinstance(vname, str) or not vname.strip():
            r.add(f"{where}.name", "is missing")
            continue
        if vname in known or vname in variants:
            r.add(f"{where}.name", f"{vname!r} is already a scenario name")
            continue
        if not isinstance(base, str) or base not in known:
            r.add(f"{where}.scenario", f"must name a scenario of the experiment, got {base!r}",
                  did_you_mean(str(base), known))
            continue
        text = t.get("description", "")
        variants[vname] = (base, text if isinstance(text, str) else "")
    known += list(variants)
    scenarios = r.names(raw, "scenarios", "planning", known)
    if scenarios is None:
        scenarios = tuple(known)
    elif not scenarios:
        r.add("planning.scenarios", "give at least one scenario")
    settings = _settings(raw, r, node_ids)
    extends = tuple(_extend(t, f"extend[{i}]", r, list(scenarios), network)
                    for i, t in enumerate(r.tables(doc.get("extend"), "extend")))
    case = None
    if "business_case" in doc:
        raw_case = r.table(doc.get("business_case"), "business_case")
        r.unknown(raw_case, _CASE_KEYS, "business_case")
        hub = raw_case.get("hub")
        if not isinstance(hub, str):
            r.add("business_case.hub", "is missing: the scenario with the hub")
        elif hub not in scenarios:
            r.add("business_case.hub", f"{hub!r} is not among planning.scenarios ("
                  + ", ".join(scenarios) + ")", did_you_mean(hub, scenarios))
        baselines = r.names(raw_case, "baselines", "business_case", list(scenarios))
        if not baselines:
            r.add("business_case.baselines", "give at least one baseline scenario")
        elif isinstance(hub, str) and hub in baselines:
            r.add("business_case.baselines", f"the hub scenario {hub!r} cannot be a baseline")
        case = BusinessCase(str(hub), tuple(baselines or ()))
    sensitivity = []
    for i, t in enumerate(r.tables(doc.get("sensitivity"), "sensitivity")):
        spec = _sensitivity(t, f"sensitivity[{i}]", r, node_ids)
        if spec is not None:
            sensitivity.append(spec)
    if sensitivity and case is None:
        r.add("sensitivity", "needs a [business_case] table (the NPV it varies)")
    name = raw.get("name", file.stem)
    description = raw.get("description", "")
    for key, value in (("name", name), ("description", description)):
        if not isinstance(value, str):
            r.add(f"planning.{key}", "must be text")
    if r.problems:
        raise ScenarioError(f"plan {source!r} is invalid", r.problems)
    digest = hashlib.sha256(file.read_bytes() + experiment_path.read_bytes()).hexdigest()
    return Plan(str(name), str(description), file, experiment, network, tuple(scenarios),
                settings, extends, case, tuple(sensitivity), digest, variants)
