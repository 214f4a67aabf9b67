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
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from cablesim._errors import Problem, ScenarioError, did_you_mean
from cablesim._toml import read_toml, table, unknown_keys
from cablesim.experiment import Experiment, load_experiment
from cablesim.io.topology import load_topology
from cablesim.network import Network
from cablesim.schema import MAX_USD_PER_MBPS_MONTH
from cablesim.selectors import match_links
from cablesim.settings import Rule, convert_value, read_settings, setting

__all__ = [
    "PlanningSettings",
    "ExtendSpec",
    "SensitivitySpec",
    "BusinessCase",
    "Plan",
    "SENSITIVITY_PARAMETERS",
    "PlanHeader",
    "load_plan",
]

_TOP_KEYS = {"planning", "variant", "extend", "business_case", "sensitivity"}
_VARIANT_KEYS = {"name", "scenario", "description"}

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
    """The ``[planning]`` table (``docs/settings.md`` lists every key)."""

    years: tuple[int, ...] = setting(
        (2025, 2030, 2035), kind="year", doc="Planning years, increasing; each is solved in "
        "turn and capacity built in one stays for the next.")
    horizon_end: int | None = setting(
        None, kind="year", doc="Last calendar year of the business case (default: the last "
        "year + the last step - 1).")
    discount_rate: float = setting(
        0.08, low=0.0, high=1.0, unit="per year", doc="For annualising capex and for present "
        "values (estimate: a typical infrastructure cost of capital, as [costs]).")
    lifetime_years: float = setting(
        25.0, low=0.0, low_open=True, unit="years", doc="Economic life of built capacity "
        "(wet-plant design life, facts-inputs A4.3).")
    om_share: float = setting(
        0.03, low=0.0, high=1.0, unit="per year", doc="Annual O&M as a share of capex "
        "(estimate: facts-inputs A4.3 found no published figure).")
    integer_modules: bool = setting(False, doc="Additions in whole modules (MILP); false: LP "
                                    "relaxation.")
    integer_builds: bool = setting(True, doc="Fixed-capex build decisions are binary (MILP).")
    unmet_penalty_usd_per_mbps_month: float = setting(
        1000.0, low=0.0, low_open=True, unit="USD per Mbps per month", doc="Cost of unserved "
        "demand (far above any lease or transit price).")
    lease_price_trend: float = setting(0.0, low=-1.0, low_open=True, unit="per year",
                                       doc="Annual change of lease prices from "
                                       "lease_price_year.")
    lease_price_year: int = setting(2014, kind="year", doc="Year of the topology's lease "
                                    "prices.")
    transit_price_trend: float = setting(0.0, low=-1.0, low_open=True, unit="per year",
                                         doc="Annual change of transit prices from "
                                         "transit_price_year.")
    transit_price_year: int = setting(2015, kind="year", doc="Year of the topology's transit "
                                      "prices.")
    lease_price_scale: float = setting(1.0, low=0.0, doc="Multiplier on lease prices (e.g. "
                                       "for sensitivity runs).")
    transit_price_scale: float = setting(1.0, low=0.0, doc="Multiplier on transit prices.")
    capex_scale: float = setting(1.0, low=0.0, doc="Multiplier on every capex.")
    cagr: float | None = setting(None, low=-1.0, low_open=True, unit="per year",
                                 doc="Demand growth a year replacing the demand model's "
                                 "(none: the model's).")
    transit_prices: Mapping[str, float] = setting(
        default_factory=dict, low=0.0, high=MAX_USD_PER_MBPS_MONTH,
        unit="USD per Mbps per month", doc="Transit price "
        "overrides per hub node id.")
    optimality_gap: float = setting(1e-4, low=0.0, high=1.0, doc="Column generation stops "
                                    "within this relative gap.")
    max_iterations: int = setting(100, low=1, doc="Column generation rounds at most.")
    mip_rel_gap: float = setting(1e-4, low=0.0, high=1.0, doc="Relative MIP gap of the "
                                 "integer solves.")

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
class PlanHeader:
    """The keys of ``[planning]`` that say what is planned (read before the settings)."""

    experiment: str | None = setting(None, doc="The experiment file (relative to this file) "
                                     "whose topology, demand and scenarios to plan "
                                     "(required).")
    name: str | None = setting(None, doc="Name of the plan (default: the file name).")
    description: str = setting("", doc="What the plan asks.")
    scenarios: tuple[str, ...] | None = setting(
        None, kind="custom", type_text="list of scenario names", doc="Scenarios (and "
        "variants) to plan (default: every scenario).")


@dataclass(frozen=True)
class ExtendSpec:
    """One ``[[extend]]`` table: links that may be extended and the cost of doing so.

    ``ownership = "build"``: the planner builds and owns the added capacity (traffic on it
    pays no lease); ``"lease"``: the capacity is bought from the market (traffic on it pays
    the link's lease price; capex, if any, is an activation charge). A ``"lease"`` table
    without capex, modules or limits is plain market capacity: the link is simply not
    capacity-limited.
    """

    links: tuple[str, ...] = setting(default_factory=tuple, kind="selectors",
                                     doc="The links that may be extended (required).")
    scenarios: tuple[str, ...] | None = setting(
        None, kind="custom", type_text="list of scenario names",
        doc="Scenarios the table applies to (default: all).")
    ownership: str = setting("build", choices=("build", "lease"),
                             doc="Who owns the added capacity.")
    capex_usd_per_gbps_km: float = setting(0.0, low=0.0, unit="USD per Gbps per km",
                                           doc="Variable capex per Gbps added (per "
                                           "direction) and km of the link.")
    capex_usd_per_gbps: float = setting(0.0, low=0.0, unit="USD per Gbps",
                                        doc="Variable capex per Gbps added.")
    capex_usd_per_km: float = setting(0.0, low=0.0, unit="USD per km",
                                      doc="Fixed capex of the first build per km of the link.")
    fixed_capex_usd: float = setting(0.0, low=0.0, unit="USD", doc="Fixed capex of the first "
                                     "build per link.")
    fixed_capex_from_links: bool = setting(False, doc="Add each link's capex_usd (the "
                                           "topology's cited build cost) to its fixed capex.")
    lifetime_years: float | None = setting(None, low=0.0, low_open=True, unit="years",
                                           doc="Override of [planning] lifetime_years.")
    om_share: float | None = setting(None, low=0.0, high=1.0, unit="per year",
                                     doc="Override of [planning] om_share.")
    min_add_gbps: float = setting(0.0, low=0.0, unit="Gbps", doc="Least first build.")
    max_add_gbps: float | str | None = setting(
        None, kind="custom", unit="Gbps", type_text="number or \"capacity\" (optional)",
        doc="Most capacity added over the horizon; \"capacity\": each link's capacity_gbps; "
        "none: no limit.")
    module_gbps: float = setting(0.0, low=0.0, unit="Gbps", doc="Module size (0: none).")
    must_build: bool | tuple[str, ...] = setting(
        False, kind="custom", type_text="bool or list of scenario names", doc="Build the "
        "links in the first planning year whatever they save (a committed project).")
    citation: str = setting("", doc="Where the numbers come from.")
    where: str = "extend"

    @property
    def selectors(self) -> tuple[str, ...]:
        """The link selectors (alias of ``links``)."""
        return self.links

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

    parameter: str = setting("", kind="custom", type_text="text", doc="One of "
                             "SENSITIVITY_PARAMETERS (see docs/planning.md) or "
                             "transit_price:<node id> (required).")
    low: float = setting(0.0, kind="custom", type_text="float", doc="Low value (required; "
                         "bounds as the parameter's).")
    high: float = setting(0.0, kind="custom", type_text="float", doc="High value "
                          "(required).")
    label: str = setting("", doc="How charts name the parameter.")


@dataclass(frozen=True)
class BusinessCase:
    """The ``[business_case]`` table: the hub scenario and the baselines it is compared to."""

    hub: str = setting("", kind="custom", type_text="scenario name", doc="The scenario with "
                       "the hub (required).")
    baselines: tuple[str, ...] = setting(default_factory=tuple, kind="custom",
                                         type_text="list of scenario names",
                                         doc="Scenarios the hub is compared with (at least "
                                         "one).")


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
def _names(value: Any, key: str, source: str, problems: list[Problem],
           known: list[str]) -> tuple[str, ...]:
    """A list of scenario names, each checked against ``known``."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(Problem(source, None, key, "must be a list of scenario names"))
        return ()
    for name in value:
        if name not in known:
            problems.append(Problem(source, None, key, f"unknown scenario {name!r}",
                                    did_you_mean(name, known)))
    return tuple(value)


def _tables(value: Any, where: str, source: str, problems: list[Problem]
            ) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        problems.append(Problem(source, None, where,
                                f"must be an array of tables ([[{where}]])"))
        return []
    return [dict(v) for v in value]


# ---------------------------------------------------------------------------- parsing
def _settings(raw: Mapping[str, Any], source: str, problems: list[Problem],
              node_ids: list[str]) -> PlanningSettings:
    w = "planning"
    settings = read_settings(PlanningSettings, raw, where=w, source=source, problems=problems,
                             ignore=[f.name for f in fields(PlanHeader)])
    years = settings.years
    if not years:
        problems.append(Problem(source, None, f"{w}.years", "give at least one year"))
        settings = replace(settings, years=PlanningSettings().years)
    elif any(b <= a for a, b in itertools.pairwise(years)):
        problems.append(Problem(source, None, f"{w}.years", f"must increase, got {list(years)!r}"))
        settings = replace(settings, years=PlanningSettings().years)
    years = settings.years
    if settings.horizon_end is not None and settings.horizon_end < years[-1]:
        problems.append(Problem(source, None, f"{w}.horizon_end", "must not be before the last "
                                f"planning year {years[-1]}, got {settings.horizon_end}"))
    for node in settings.transit_prices:
        if node not in node_ids:
            problems.append(Problem(source, None, f"{w}.transit_prices.{node}",
                                    f"unknown node id {node!r}", did_you_mean(node, node_ids)))
    return settings


def _extend(raw: Mapping[str, Any], where: str, source: str, problems: list[Problem],
            scenarios: list[str], network: Network) -> ExtendSpec:
    if "links" not in raw:
        problems.append(Problem(source, None, f"{where}.links", "is missing: give link "
                                "selectors such as 'system:Proposed Guangxi*'"))
    ext = read_settings(ExtendSpec, raw, where=where, source=source, problems=problems)
    for sel in ext.links:
        try:
            hit = match_links(network.links, sel)
        except Exception:  # noqa: BLE001 - a malformed area is reported by the reader
            continue
        if not hit.any():
            problems.append(Problem(source, None, f"{where}.links",
                                    f"selector {sel!r} matches no link"))
    max_add = raw.get("max_add_gbps")
    if isinstance(max_add, str):
        if max_add != "capacity":
            problems.append(Problem(
                source, None, f"{where}.max_add_gbps", "must be a number of Gbps or 'capacity' "
                f"(each link's capacity_gbps), got {max_add!r}",
                did_you_mean(max_add, ["capacity"])))
            max_add = None
    elif max_add is not None:
        if (isinstance(max_add, bool) or not isinstance(max_add, (int, float))
                or not math.isfinite(max_add) or max_add < 0):
            problems.append(Problem(source, None, f"{where}.max_add_gbps",
                                    f"must be a number >= 0 or 'capacity', got {max_add!r}"))
            max_add = None
        else:
            max_add = float(max_add)
    must: bool | tuple[str, ...] = False
    if isinstance(raw.get("must_build"), bool):
        must = bool(raw["must_build"])
    elif "must_build" in raw:
        if not isinstance(raw["must_build"], list):
            problems.append(Problem(source, None, f"{where}.must_build",
                                    "must be true, false or a list of scenario names"))
        else:
            must = _names(raw["must_build"], f"{where}.must_build", source, problems, scenarios)
    chosen = (_names(raw["scenarios"], f"{where}.scenarios", source, problems, scenarios)
              if "scenarios" in raw else None)
    return replace(ext, scenarios=chosen, max_add_gbps=max_add, must_build=must, where=where)


def _sensitivity(raw: Mapping[str, Any], where: str, source: str, problems: list[Problem],
                 node_ids: list[str]) -> SensitivitySpec | None:
    spec = read_settings(SensitivitySpec, raw, where=where, source=source, problems=problems)
    name = raw.get("parameter")
    choices = list(SENSITIVITY_PARAMETERS) + ["transit_price:<node id>"]
    if not isinstance(name, str):
        problems.append(Problem(source, None, f"{where}.parameter",
                                "is missing: one of " + ", ".join(choices)))
        return None
    bounds = Rule("", low=0.0)
    if name.startswith("transit_price:"):
        node = name.split(":", 1)[1]
        if node not in node_ids:
            problems.append(Problem(source, None, f"{where}.parameter", f"unknown node id "
                                    f"{node!r}", did_you_mean(node, node_ids)))
    elif name not in SENSITIVITY_PARAMETERS:
        problems.append(Problem(source, None, f"{where}.parameter", f"unknown parameter "
                                f"{name!r}; one of " + ", ".join(choices),
                                did_you_mean(name, list(SENSITIVITY_PARAMETERS))))
        return None
    else:
        field_rule = {f.name: f.metadata["setting"] for f in fields(PlanningSettings)}.get(name)
        if field_rule is not None:
            bounds = Rule("", low=field_rule.low, high=field_rule.high,
                          low_open=field_rule.low_open)
    values = {}
    for key in ("low", "high"):
        if key not in raw:
            problems.append(Problem(source, None, f"{where}.{key}", "is missing"))
            values[key] = 0.0
            continue
        value, ok = convert_value(raw[key], float, bounds, f"{where}.{key}", source, problems)
        values[key] = value if ok else 0.0
    return replace(spec, parameter=name, low=values["low"], high=values["high"])


def _business_case(raw: Mapping[str, Any], source: str, problems: list[Problem],
                   scenarios: tuple[str, ...]) -> BusinessCase:
    read_settings(BusinessCase, raw, where="business_case", source=source, problems=problems)
    hub = raw.get("hub")
    if not isinstance(hub, str):
        problems.append(Problem(source, None, "business_case.hub",
                                "is missing: the scenario with the hub"))
    elif hub not in scenarios:
        problems.append(Problem(source, None, "business_case.hub", f"{hub!r} is not among "
                                "planning.scenarios (" + ", ".join(scenarios) + ")",
                                did_you_mean(hub, scenarios)))
    baselines = (_names(raw["baselines"], "business_case.baselines", source, problems,
                        list(scenarios)) if "baselines" in raw else ())
    if not baselines:
        problems.append(Problem(source, None, "business_case.baselines",
                                "give at least one baseline scenario"))
    elif isinstance(hub, str) and hub in baselines:
        problems.append(Problem(source, None, "business_case.baselines",
                                f"the hub scenario {hub!r} cannot be a baseline"))
    return BusinessCase(str(hub), tuple(baselines))


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
    doc = read_toml(file)
    source = str(file)
    problems: list[Problem] = []
    unknown_keys(doc, _TOP_KEYS, "", source, problems)
    raw = table(doc.get("planning"), "planning", source, problems)
    header = read_settings(PlanHeader, raw, where="planning", source=source, problems=problems,
                           ignore=[f.name for f in fields(PlanningSettings)])
    if header.experiment is None:
        problems.append(Problem(source, None, "planning.experiment", "is missing: give the "
                                "experiment file (relative to this file) whose topology, "
                                "demand and scenarios to plan"))
        raise ScenarioError(f"plan {source!r} is invalid", problems)
    experiment_path = (file.parent / header.experiment).resolve()
    if not experiment_path.is_file():
        problems.append(Problem(source, None, "planning.experiment",
                                f"file {str(experiment_path)!r} does not exist"))
        raise ScenarioError(f"plan {source!r} is invalid", problems)
    experiment = load_experiment(experiment_path)
    network = load_topology(experiment.topology)
    node_ids = [str(n) for n in network.nodes.index]
    known = [s.name for s in experiment.scenarios]
    variants: dict[str, tuple[str, str]] = {}
    for i, t in enumerate(_tables(doc.get("variant"), "variant", source, problems)):
        where = f"variant[{i}]"
        unknown_keys(t, _VARIANT_KEYS, where, source, problems)
        vname, base = t.get("name"), t.get("scenario")
        if not isinstance(vname, str) or not vname.strip():
            problems.append(Problem(source, None, f"{where}.name", "is missing"))
            continue
        if vname in known or vname in variants:
            problems.append(Problem(source, None, f"{where}.name",
                                    f"{vname!r} is already a scenario name"))
            continue
        if not isinstance(base, str) or base not in known:
            problems.append(Problem(source, None, f"{where}.scenario", "must name a scenario "
                                    f"of the experiment, got {base!r}",
                                    did_you_mean(str(base), known)))
            continue
        text = t.get("description", "")
        variants[vname] = (base, text if isinstance(text, str) else "")
    known += list(variants)
    if "scenarios" in raw:
        scenarios = _names(raw["scenarios"], "planning.scenarios", source, problems, known)
        if not scenarios:
            problems.append(Problem(source, None, "planning.scenarios",
                                    "give at least one scenario"))
    else:
        scenarios = tuple(known)
    settings = _settings(raw, source, problems, node_ids)
    extends = tuple(_extend(t, f"extend[{i}]", source, problems, list(scenarios), network)
                    for i, t in enumerate(_tables(doc.get("extend"), "extend", source,
                                                  problems)))
    case = None
    if "business_case" in doc:
        case = _business_case(table(doc.get("business_case"), "business_case", source,
                                    problems), source, problems, scenarios)
    sensitivity = []
    for i, t in enumerate(_tables(doc.get("sensitivity"), "sensitivity", source, problems)):
        spec = _sensitivity(t, f"sensitivity[{i}]", source, problems, node_ids)
        if spec is not None:
            sensitivity.append(spec)
    if sensitivity and case is None:
        problems.append(Problem(source, None, "sensitivity",
                                "needs a [business_case] table (the NPV it varies)"))
    if problems:
        raise ScenarioError(f"plan {source!r} is invalid", problems)
    digest = hashlib.sha256(file.read_bytes() + experiment_path.read_bytes()).hexdigest()
    return Plan(header.name or file.stem, header.description, file, experiment, network,
                tuple(scenarios), settings, extends, case, tuple(sensitivity), digest, variants)
