"""Experiment files: the settings of an experiment and its scenarios, read once into types.

An experiment file names a topology, the demand, routing and cost settings shared by its
scenarios, and a list of ``[[scenario]]`` tables, each with an exchange policy (a preset
name or an inline table of rules) and optional overrides and link edits::

    [experiment]
    name = "hairpin_vs_guangxi"
    topology = "../topology/china_asean"        # relative to this file
    countries = "../seeds/country_indicators.csv"

    [demand]            # model = "gravity" (default) or "csv" with path = "matrix.csv";
    year = 2016         # other keys are cablesim.demand.GravityParams fields

    [routing]           # mode = "uncapacitated" | "capacitated"; objective = "latency" | "cost"
    mode = "uncapacitated"

    [costs]             # discount_rate, lifetime_years (for proposed links' capex)

    [links]             # enable / disable: link selectors; [[links.edit]]: re-price, re-size
    disable = ["system:TEA*"]

    [[scenario]]
    name = "guangxi_hub"
    policy = "guangxi_hub"
    links = { enable = ["status:proposed"] }

Every key, its unit, bounds and default is declared once on the dataclasses below (and on
:class:`cablesim.demand.GravityParams`); ``docs/settings.md`` is generated from them.

Link selectors are ``id:<link id>``, ``system:<name pattern>``, ``status:<status>``,
``kind:<kind>``, ``tag:<value of an extra 'tag' column>`` (patterns use shell wildcards) or
``area:<lon_min>,<lat_min>,<lon_max>,<lat_max>`` (every link whose route crosses the box,
e.g. a cut in a strait); a selector that matches no link is an error, never silently ignored.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cablesim._errors import Problem, ScenarioError
from cablesim._toml import input_path
from cablesim._toml import read_toml as _read_toml
from cablesim._toml import table as _table
from cablesim._toml import unknown_keys as _unknown
from cablesim.experiment.demand import DemandSpec, read_demand
from cablesim.latency import LatencyModel
from cablesim.lit import LitRule
from cablesim.policy import Policy
from cablesim.schema import MAX_GBPS, MAX_USD_PER_MBPS_MONTH, MIN_CAPACITY_GBPS
from cablesim.settings import read_settings, setting
from cablesim.study import Study, find_study

__all__ = [
    "ExperimentInfo",
    "RoutingSettings",
    "CostSettings",
    "LinkSettings",
    "LinkEdit",
    "ScenarioSpec",
    "Experiment",
    "load_experiment",
    "experiment_inputs",
    "experiment_paths",
]


@dataclass(frozen=True)
class ExperimentInfo:
    """The ``[experiment]`` table: what the experiment is and which files it reads."""

    name: str | None = setting(None, doc="Name of the experiment and of its results folder "
                               "(default: the file name without .toml).")
    description: str = setting("", doc="One paragraph saying what the experiment asks.")
    topology: str | None = setting(None, doc="Topology folder, relative to the experiment "
                                   "file (required).")
    countries: str | None = setting(None, doc="Country table (CSV), relative to the "
                                    "experiment file; the gravity demand model needs it.")
    study: str | None = setting(None, doc="Study file (TOML): regions, groups, reference "
                                "cities and map extent; default: `study.toml` in the topology "
                                "folder.")


@dataclass(frozen=True)
class RoutingSettings:
    """How a scenario routes (the ``[routing]`` table)."""

    mode: str = setting("uncapacitated", choices=("uncapacitated", "capacitated"),
                        doc="Least-weight paths, or a path LP with link capacities.")
    objective: str = setting("latency", choices=("latency", "cost", "generalized"),
                             doc="Path weight: latency (ms) or lease price (USD per Mbps per "
                             "month), the other as a tie-breaker; or `generalized`: lease "
                             "and transit price plus latency at `value_of_time` (exchange "
                             "hubs are chosen with it too).")
    value_of_time: float = setting(
        0.5, low=0.0, high=100.0, unit="USD per ms per Mbps per month",
        doc="`objective = \"generalized\"`: what a buyer pays to save one millisecond of "
        "one-way latency on a Mbps-month (calibrated: the smallest of 0.01, 0.02, 0.05, 0.1, "
        "0.2, 0.5 at which no 2016 Europe-Asia content detours across the US, as it did not; "
        "a 5 ms longer route wins when it saves more than US$2.5; docs/routing.md).")
    capacity_scale: float = setting(1.0, low=0.0, low_open=True, high=1000.0,
                                    doc="Multiplier on every "
                                    "link's capacity_gbps (e.g. the share of design capacity "
                                    "lit and available to this traffic).")
    k_paths: int = setting(1, low=1, high=32, doc="Candidate paths per commodity in "
                           "capacitated mode.")
    penalty_factor: float = setting(3.0, low=1.0, low_open=True, doc="Weight multiplier per "
                                    "candidate round on used arcs (capacitated mode).")
    optimality_gap: float = setting(0.005, low=0.0, low_open=True, high=1.0,
                                    doc="Capacitated mode: the column generation must prove "
                                    "the cost within this relative distance of the optimum; "
                                    "a scenario that does not is an error.")
    max_iterations: int = setting(50, low=1, high=10_000, doc="Capacitated mode: rounds of "
                                  "column generation at most.")
    no_transit: tuple[str, ...] = setting(default_factory=tuple, kind="iso3", doc="Countries "
                                          "whose networks carry only traffic that starts, "
                                          "ends or is exchanged there (whatever the study's "
                                          "transit roles say).")
    open_transit: tuple[str, ...] = setting(default_factory=tuple, kind="iso3", doc="Countries "
                                            "whose networks carry anyone's traffic in this "
                                            "scenario, lifting their role in the study's "
                                            "transit role table (not `no_transit`).")


@dataclass(frozen=True)
class CostSettings:
    """Annualisation of proposed links' capex (the ``[costs]`` table)."""

    discount_rate: float = setting(0.08, low=0.0, high=1.0, unit="per year",
                                   doc="Cost of capital (estimate: a typical infrastructure "
                                   "cost of capital).")
    lifetime_years: float = setting(25.0, low=0.0, low_open=True, unit="years",
                                    doc="Economic life: the design life of submarine cable "
                                    "wet plant (TeleGeography via facts-inputs A4.3).")


@dataclass(frozen=True)
class LinkEdit:
    """A change to the links a selector list matches (one ``[[links.edit]]`` table)."""

    links: tuple[str, ...] = setting(default_factory=tuple, kind="selectors",
                                     doc="The links to change (link selectors).")
    price_usd_per_mbps_month: float | None = setting(
        None, low=0.0, high=MAX_USD_PER_MBPS_MONTH, unit="USD per Mbps per month",
        doc="New lease price.")
    price_scale: float | None = setting(None, low=0.0, high=1000.0,
                                        doc="Multiplier on the lease price.")
    capacity_gbps: float | None = setting(None, low=MIN_CAPACITY_GBPS, high=MAX_GBPS,
                                          unit="Gbps", doc="New capacity.")
    capacity_scale: float | None = setting(None, low=0.0, low_open=True, high=1000.0,
                                           doc="Multiplier on the capacity.")

    @property
    def selectors(self) -> tuple[str, ...]:
        """The link selectors (alias of ``links``)."""
        return self.links


@dataclass(frozen=True)
class LinkSettings:
    """Which links are in service and how they are edited (the ``[links]`` table).

    Links in service by default: existing and planned links whose ``rfs_year`` is unknown or
    not after the network year; proposed links only when enabled.
    """

    enable: tuple[str, ...] = setting(default_factory=tuple, kind="selectors",
                                      doc="Links to put in service (e.g. proposed links).")
    disable: tuple[str, ...] = setting(default_factory=tuple, kind="selectors",
                                       doc="Links to take out of service (disable wins over "
                                       "enable at the same level).")
    year: int | None = setting(None, kind="year", doc="Network year: links ready for "
                               "service by then (default: the demand year).")
    capacity: str | None = setting(None, choices=("lit", "design"), doc="Link capacity: "
                                   "`lit`, what the study's `[lit]` rule says was lit in "
                                   "the network year (the default), or the topology's "
                                   "`design` capacity.")


@dataclass(frozen=True)
class ScenarioSpec:
    """One scenario of an experiment (settings already merged with the experiment's)."""

    name: str
    description: str
    policy: Policy
    demand: DemandSpec
    routing: RoutingSettings
    costs: CostSettings
    link_steps: tuple[tuple[str, tuple[str, ...]], ...] = ()
    edits: tuple[LinkEdit, ...] = ()
    network_year: int | None = None
    latency: LatencyModel = field(default_factory=LatencyModel)
    lit: LitRule = field(default_factory=LitRule)
    transit_roles: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Experiment:
    """A parsed experiment file."""

    name: str
    description: str
    path: Path
    topology: Path
    countries: Path | None
    scenarios: tuple[ScenarioSpec, ...]
    input_hash: str
    study: Study = field(default_factory=Study)


_TOP_KEYS = {"experiment", "demand", "routing", "costs", "links", "scenario"}
_SCENARIO_KEYS = {"name", "description", "policy", "demand", "routing", "costs", "links"}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def experiment_paths(experiment: Experiment) -> list[Path]:
    """Every input file and folder of an experiment: the experiment file, the topology
    folder, the country table, the study file and the demand CSVs."""
    paths = [experiment.path, experiment.topology]
    if experiment.countries is not None:
        paths.append(experiment.countries)
    if experiment.study.path is not None:
        paths.append(experiment.study.path)
    paths += [s.demand.path for s in experiment.scenarios if s.demand.path is not None]
    return paths


def experiment_inputs(experiment: Experiment) -> dict[str, str]:
    """SHA-256 of every input file of an experiment, keyed by path.

    The experiment file, the topology's files, the country table, the study file and any
    demand CSVs; paths are relative to the experiment file's folder, so the keys do not
    depend on the working directory.
    """
    files = [experiment.path]
    files += [experiment.topology / name for name in ("nodes.csv", "links.csv",
                                                      "geometry.geojson")]
    if experiment.countries is not None:
        files.append(experiment.countries)
    files += [s.demand.path for s in experiment.scenarios if s.demand.path is not None]
    if experiment.study.path is not None:
        files.append(experiment.study.path)
    base = experiment.path.resolve().parent
    return {os.path.relpath(Path(f).resolve(), base): _sha256(Path(f))
            for f in sorted(set(files)) if Path(f).is_file()}


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _links(table: Mapping[str, Any], where: str, source: str, problems: list[Problem]
           ) -> tuple[LinkSettings, tuple[LinkEdit, ...]]:
    links = read_settings(LinkSettings, table, where=where, source=source, problems=problems,
                          ignore=("edit",))
    raw_edits = table.get("edit", [])
    if not isinstance(raw_edits, list):
        problems.append(Problem(source, None, f"{where}.edit", "must be an array of tables"))
        raw_edits = []
    edits = []
    for i, raw in enumerate(raw_edits):
        key = f"{where}.edit[{i}]"
        edit = read_settings(LinkEdit, _table(raw, key, source, problems), where=key,
                             source=source, problems=problems)
        if all(getattr(edit, f) is None for f in ("price_usd_per_mbps_month", "price_scale",
                                                  "capacity_gbps", "capacity_scale")):
            problems.append(Problem(source, None, key, "says what to match but not what to "
                                    "change", "add price_usd_per_mbps_month, price_scale, "
                                    "capacity_gbps or capacity_scale"))
        edits.append(edit)
    return links, tuple(edits)


def _policy(raw: Any, name: str, where: str, source: str, problems: list[Problem],
            study: Study | None) -> Policy:
    if study is None:
        return Policy(str(raw) if isinstance(raw, str) else name, ())
    try:
        if isinstance(raw, str):
            return preset(study, raw, source)
        if isinstance(raw, Mapping):
            return Policy.from_mapping(name, raw, source, classes=study.traffic_classes)
        raise ScenarioError("bad policy", [Problem(
            source, None, f"{where}.policy", "must be a preset name or a table")])
    except ScenarioError as exc:
        problems.extend(exc.problems)
        return Policy("invalid", ())


def load_experiment(path: str | Path, extra_tables: Collection[str] = ()) -> Experiment:
    """Read and check an experiment (or single-scenario) TOML file.

    Parameters
    ----------
    path : path-like
        The TOML file.
    extra_tables : collection of str
        Top-level tables that other readers of the same file own (e.g. ``simulation``,
        ``replay`` for :mod:`cablesim.simulation`); they are not reported as unknown.

    Raises
    ------
    ScenarioError
        Listing every problem (unknown keys with hints, bad values, missing files), each
        naming the file and the key.
    """
    file = Path(path)
    doc = _read_toml(file)
    source = str(file)
    problems: list[Problem] = []
    _unknown(doc, _TOP_KEYS | set(extra_tables), "", source, problems)
    info = read_settings(ExperimentInfo, _table(doc.get("experiment"), "experiment", source,
                                                problems),
                         where="experiment", source=source, problems=problems)
    if info.topology is None:
        problems.append(Problem(source, None, "experiment.topology",
                                "is missing: give the topology folder (relative to this file)"))
    topology = input_path(file, info.topology or ".", "experiment.topology", "folder",
                          problems)
    countries = (input_path(file, info.countries, "experiment.countries", "file", problems)
                 if info.countries is not None else None)
    study_file = (input_path(file, info.study, "experiment.study", "file", problems)
                  if info.study is not None else None)
    study: Study | None = None  # None: the study cannot be read, presets are not checked
    if topology.is_dir() and (study_file is None or study_file.is_file()):
        try:
            study = find_study(topology, study_file)
        except ScenarioError as exc:
            problems.extend(exc.problems)
    base = {k: _table(doc.get(k), k, source, problems)
            for k in ("demand", "routing", "costs", "links")}
    base_links, base_edits = _links(base["links"], "links", source, problems)
    raw_scenarios = doc.get("scenario", [])
    if not isinstance(raw_scenarios, list) or not raw_scenarios:
        problems.append(Problem(source, None, "scenario",
                                "give at least one [[scenario]] table"))
        raw_scenarios = []
    specs: list[ScenarioSpec] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_scenarios):
        where = f"scenario[{i}]"
        raw = _table(raw, where, source, problems)
        _unknown(raw, _SCENARIO_KEYS, where, source, problems)
        sname = raw.get("name")
        if not isinstance(sname, str) or not sname.strip():
            problems.append(Problem(source, None, f"{where}.name", "is missing"))
            sname = f"scenario_{i + 1}"
        if sname in seen:
            problems.append(Problem(source, None, f"{where}.name",
                                    f"duplicate scenario name {sname!r}"))
        seen.add(sname)
        where = f"scenario {sname!r}"
        policy = _policy(raw.get("policy", "direct"), sname, where, source, problems, study)
        merged = {k: _merge(base[k], _table(raw.get(k), f"{where}.{k}", source, problems))
                  for k in ("demand", "routing", "costs")}
        routing = read_settings(RoutingSettings, merged["routing"], where=f"{where}.routing",
                                source=source, problems=problems)
        costs = read_settings(CostSettings, merged["costs"], where=f"{where}.costs",
                              source=source, problems=problems)
        links, edits = _links(_table(raw.get("links"), f"{where}.links", source, problems),
                              f"{where}.links", source, problems)
        demand = read_demand(merged["demand"], where=f"{where}.demand", file=file,
                             problems=problems)
        if demand.model == "gravity" and countries is None and not any(
                p.field == "experiment.countries" for p in problems):
            problems.append(Problem(source, None, "experiment.countries",
                                    "is missing: the gravity model needs the country "
                                    "table (e.g. seeds/country_indicators.csv)"))
        specs.append(ScenarioSpec(
            sname, str(raw.get("description", policy.description)), policy, demand, routing,
            costs, (("enable", base_links.enable), ("disable", base_links.disable),
                    ("enable", links.enable), ("disable", links.disable)),
            base_edits + edits, links.year if links.year is not None else base_links.year,
            study.latency if study is not None else LatencyModel(),
            _lit_rule(study, links.capacity or base_links.capacity or "lit"),
            study.transit_roles if study is not None else {}))
    if problems:
        raise ScenarioError(f"experiment {source!r} is invalid", problems)
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    return Experiment(info.name or file.stem, info.description, file, topology, countries,
                      tuple(specs), digest, study or Study())


def preset(study: Study, name: str, source: str = "policy") -> Policy:
    """The study's policy preset ``name`` (``direct`` in every study)."""
    return Policy.preset(name, source, presets=study.policy_presets(),
                         classes=study.traffic_classes,
                         presets_source=str(study.path) if study.path else "study")


def with_policy(spec: ScenarioSpec, name: str, *, study: Study, rename: str | None = None,
                source: str = "policy") -> ScenarioSpec:
    """``spec`` with its exchange policy replaced by the study's preset ``name`` (and
    optionally renamed)."""
    return dataclasses.replace(spec, name=rename or spec.name,
                               policy=preset(study, name, source))


__all__ += ["with_policy", "preset"]


def _lit_rule(study: Study | None, capacity: str) -> LitRule:
    """The lit capacity rule a scenario uses: the study's, or the identity for design."""
    if study is None or capacity == "design":
        return LitRule()
    return study.lit
