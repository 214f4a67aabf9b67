"""Simulation settings: the ``[simulation]`` and ``[[replay]]`` tables of an experiment file.

A resilience experiment is an ordinary experiment file (see :mod:`cablesim.experiment`) with two
more kinds of table::

    [simulation]
    years = 200                 # Monte Carlo years
    seed = 20240224             # one seed, identical results whatever runs it
    scenarios = ["regional_hubs", "guangxi_hub"]   # Monte Carlo; default: every [[scenario]]
    replay_scenarios = ["regional_hubs"]           # default: as scenarios
    rtt_threshold_ms = 150      # "hours above" counts hours a country pair is slower
    replays = ["replays/hengchun_2006.toml"]       # files holding more [[replay]] tables

    [simulation.faults]         # faults per 1,000 km per year, by link kind
    submarine = 0.12            # submarine route of unknown depth
    submarine_shallow = 0.6     # ... inside a shallow_areas box (continental shelf)
    submarine_deep = 0.03       # ... outside them, when shallow_areas are given
    terrestrial = 0.3
    metro = 0.3
    shallow_areas = ["area:99,-8,117,12"]

    [simulation.repair]         # lognormal repair times (median days, sigma of the log)
    submarine_median_days = 14
    submarine_sigma = 0.5
    terrestrial_median_days = 0.5
    terrestrial_sigma = 0.7
    permit_sigma = 0.5
    ships = 0                   # repair ships outside every region (0: no queue)

    [[simulation.repair.region]]
    name = "southeast_asia"
    area = "95,-11,135,23"      # or countries = ["VNM", ...]
    permit_delay_days = 14
    ships = 2

    [simulation.diurnal]        # hourly load shape in local time, relative to the busy
    hourly = [0.8, 0.65, ...]   # hour; amplitude = 0 for a flat busy-hour load

    [[replay]]
    name = "red_sea_2024"
    date = 2024-02-24
    duration_days = 56
    cuts = ["id:aae1:23"]       # link selectors as in [links]
    network_year = 2024         # optional: the network of that year

    [[replay.stage]]            # optional, for events whose cables failed and were
    cuts = ["system:SeaMeWe-3"] # repaired at different times
    start_day = 0
    duration_days = 95

Every problem names the file and the key, with a "did you mean" hint for unknown keys.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cablesim._errors import Problem, ScenarioError, did_you_mean
from cablesim._toml import number
from cablesim._toml import read_toml as _read_toml
from cablesim._toml import table as _table
from cablesim._toml import unknown_keys as _unknown
from cablesim.experiment import Experiment, load_experiment
from cablesim.selectors import is_area as _is_area
from cablesim.selectors import parse_selectors as _selectors
from cablesim.settings import read_settings, setting

__all__ = [
    "FaultRates",
    "RepairRegion",
    "RepairModel",
    "DiurnalCurve",
    "ReplayStage",
    "Replay",
    "SimulationSettings",
    "SimulationExperiment",
    "load_simulation",
    "DEFAULT_HOURLY_SHAPE",
]

DEFAULT_HOURLY_SHAPE = (
    0.80, 0.65, 0.52, 0.44, 0.40, 0.40, 0.44, 0.52, 0.60, 0.66, 0.70, 0.73,
    0.76, 0.77, 0.78, 0.79, 0.81, 0.84, 0.88, 0.93, 0.98, 1.00, 0.97, 0.90,
)
"""Hourly traffic in local time relative to the evening peak (hour 0 = 00:00-01:00).

Estimate: the shape of public Internet-exchange daily traffic curves (trough around
04:00-05:00 at about 40% of the peak at 21:00-22:00). The scenario's demand is the busy
hour, so the shape is used relative to its peak."""

_REPLAY_KEYS = {"name", "description", "date", "duration_days", "cuts", "stage",
                "network_year", "citation"}
_STAGE_KEYS = {"cuts", "start_day", "duration_days", "note"}
_REPLAY_FILE_KEYS = {"replay"}


@dataclass(frozen=True)
class FaultRates:
    """Fault rates per 1,000 km of route per year, by link kind.

    Defaults (facts-inputs A5.1): about 150-200 submarine faults a year worldwide (ICPC)
    on 1.0-1.7 million km of cable gives 0.12 per 1,000 km per year for a route of unknown
    depth. 70-80% of faults are caused by fishing and anchors, mostly in water shallower
    than 200 m, and below about 1,000 m faults are almost always natural; with, as an
    estimate, about 12% of route length on the shelf, that splits into 0.6 (shallow) and
    0.03 (deep) per 1,000 km per year. Terrestrial cut rates are not found in an
    authoritative source; 0.3 per 1,000 km per year is the middle of the weak
    0.1-0.5 quoted there (an estimate). Metro links use the terrestrial rate; satellite
    and transit links do not fail by default.
    """

    submarine: float = setting(0.12, low=0.0, unit="per 1,000 km per year",
                               doc="Submarine route of unknown depth (ICPC via facts-inputs "
                               "A5.1).")
    submarine_shallow: float = setting(0.6, low=0.0, unit="per 1,000 km per year",
                                       doc="Submarine route inside a shallow area "
                                       "(estimate from the fault causes, A5.1).")
    submarine_deep: float = setting(0.03, low=0.0, unit="per 1,000 km per year",
                                    doc="Submarine route outside the shallow areas, when some "
                                    "are given (estimate, A5.1).")
    terrestrial: float = setting(0.3, low=0.0, unit="per 1,000 km per year",
                                 doc="Land route (estimate: middle of a weak 0.1-0.5).")
    metro: float = setting(0.3, low=0.0, unit="per 1,000 km per year",
                           doc="Metro link (the terrestrial rate).")
    satellite: float = setting(0.0, low=0.0, unit="per 1,000 km per year",
                               doc="Satellite hop (does not fail by default).")
    transit: float = setting(0.0, low=0.0, unit="per 1,000 km per year",
                             doc="Transit link (does not fail by default).")
    shallow_areas: tuple[tuple[float, float, float, float], ...] = setting(
        (), kind="custom", type_text="list of areas", doc="Shallow water boxes, as "
        "'area:lon_min,lat_min,lon_max,lat_max' or [lon_min, lat_min, lon_max, lat_max].")


@dataclass(frozen=True)
class RepairRegion:
    """A region whose submarine repairs wait for permits and (optionally) a limited fleet.

    A link belongs to the first region whose ``area`` box its route crosses, or one of
    whose end nodes lies in one of its ``countries``.
    """

    name: str = setting("", doc="Name of the region (required, unique).")
    area: tuple[float, float, float, float] | None = setting(
        None, kind="custom", type_text="area (optional)", doc="Box whose crossing routes "
        "belong to the region.")
    countries: tuple[str, ...] = setting(default_factory=tuple, kind="iso3",
                                         doc="Countries whose links belong to the region.")
    permit_delay_days: float = setting(0.0, low=0.0, unit="days", doc="Median permit delay "
                                       "before a repair ship may start.")
    ships: int = setting(0, low=0, doc="Repair ships of the region (0: unlimited).")


@dataclass(frozen=True)
class RepairModel:
    """Repair-time model.

    A submarine fault waits for the permits of its region (lognormal, median
    ``permit_delay_days`` of the region, sigma ``permit_sigma``), then for a repair ship of
    its region when the region has a limited fleet (a SimPy resource: simultaneous faults
    queue), then takes the ship's repair time (lognormal, median
    ``submarine_median_days``, sigma ``submarine_sigma``). Terrestrial and metro faults
    take a lognormal repair time (median ``terrestrial_median_days``) and never queue.

    Defaults (facts-inputs A5.2): AAG repairs outside permit disputes took 12-25 days
    (median 14 days as an estimate); Indonesia's cabotage exemption for foreign repair
    ships takes at least 2 weeks and Malaysian repairs took 29-48 days against <27
    claimed, so Southeast Asian waters add a permit delay of about 14 days; Seacom said
    its Red Sea repair (2024) would not start for at least a month pending permits (30
    days). Terrestrial splices within half a day (median 12 h) are an estimate.
    """

    submarine_median_days: float = setting(14.0, low=0.0, low_open=True, unit="days",
                                           doc="Median submarine repair time (AAG repairs, "
                                           "facts-inputs A5.2).")
    submarine_sigma: float = setting(0.5, low=0.0, high=5.0, doc="Lognormal sigma of "
                                     "submarine repairs.")
    terrestrial_median_days: float = setting(0.5, low=0.0, low_open=True, unit="days",
                                             doc="Median land repair time (estimate).")
    terrestrial_sigma: float = setting(0.7, low=0.0, high=5.0, doc="Lognormal sigma of land "
                                       "repairs.")
    permit_sigma: float = setting(0.5, low=0.0, high=5.0, doc="Lognormal sigma of permit "
                                  "delays.")
    ships: int = setting(0, low=0, doc="Repair ships outside the regions (0: unlimited).")
    regions: tuple[RepairRegion, ...] = setting(
        (), kind="custom", type_text="[[simulation.repair.region]] tables",
        doc="Regions with permit delays and fleets (see [[simulation.repair.region]]).")


@dataclass(frozen=True)
class DiurnalCurve:
    """Hourly load shape in each node's local time, relative to the busy hour.

    The scenario's demand is busy-hour traffic (see :mod:`cablesim.demand`), so the shape
    is divided by its maximum: a demand's load at a moment is its busy-hour volume times
    the mean of the shape at its two end nodes' local times. ``amplitude`` scales the
    shape's deviation from the peak (0 gives a flat load at the busy-hour volume, 1 the
    shape as given).
    """

    hourly: tuple[float, ...] = setting(
        DEFAULT_HOURLY_SHAPE, kind="custom", type_text="24 numbers", doc="Load by local "
        "hour 0-23 relative to the peak (estimate: public IXP daily curves).")
    amplitude: float = setting(1.0, low=0.0, doc="Scales the shape's deviation from the "
                               "peak (0: flat busy-hour load).")

    def normalised(self) -> tuple[float, ...]:
        """The shape with peak 1, its deviation from the peak scaled by ``amplitude``."""
        peak = max(self.hourly)
        return tuple(1.0 + self.amplitude * (v / peak - 1.0) for v in self.hourly)


@dataclass(frozen=True)
class ReplayStage:
    """Links cut from ``start_day`` (days after the replay's date) for ``duration_days``."""

    cuts: tuple[str, ...]
    start_day: float
    duration_days: float
    note: str = ""


@dataclass(frozen=True)
class Replay:
    """A scripted historical event: cut sets with dates and durations."""

    name: str
    description: str
    date: _dt.date
    stages: tuple[ReplayStage, ...]
    network_year: int | None = None
    citation: str = ""
    source: str = ""

    @property
    def duration_days(self) -> float:
        """Days from the date until the last stage ends."""
        return max(s.start_day + s.duration_days for s in self.stages)


@dataclass(frozen=True)
class SimulationSettings:
    """The ``[simulation]`` table."""

    years: int = setting(100, low=1, high=1_000_000, doc="Simulated years of the Monte "
                         "Carlo.")
    seed: int = setting(0, low=0, doc="Seed of the random faults and repairs.")
    scenarios: tuple[str, ...] = setting(
        (), kind="custom", type_text="list of scenario names", doc="Scenarios of the Monte "
        "Carlo (default: every [[scenario]]).")
    replay_scenarios: tuple[str, ...] | None = setting(
        None, kind="custom", type_text="list of scenario names (optional)",
        doc="Scenarios of the replays (default: as the Monte Carlo).")
    rtt_threshold_ms: float = setting(150.0, low=0.0, low_open=True, unit="ms",
                                      doc="Traffic above this RTT counts as degraded.")
    faults: FaultRates = field(default_factory=FaultRates)
    repair: RepairModel = field(default_factory=RepairModel)
    diurnal: DiurnalCurve = field(default_factory=DiurnalCurve)
    warmup_days: float = setting(90.0, low=0.0, unit="days", doc="Faults and repairs before "
                                 "each simulated year starts.")
    criticality_top: int = setting(10, low=0, high=100, doc="Links ranked by N-1 and N-2 "
                                   "criticality.")
    capacitated_slots: int = setting(4, low=1, high=96, doc="Load slots a day of "
                                     "capacitated re-routing (divides 96 quarter hours).")
    replay_margin_days: float = setting(2.0, low=0.0, unit="days", doc="Days shown before "
                                        "and after a replay's cuts.")
    replays: tuple[str, ...] = setting(
        (), kind="custom", type_text="list of files", doc="Replay files ([[replay]] tables), "
        "relative to this file.")


@dataclass(frozen=True)
class SimulationExperiment:
    """An experiment with its simulation settings and replays."""

    experiment: Experiment
    settings: SimulationSettings
    replays: tuple[Replay, ...]
    path: Path
    input_hash: str

    @property
    def name(self) -> str:
        """The experiment's name."""
        return self.experiment.name

    def scenario_specs(self) -> tuple[Any, ...]:
        """The scenarios of the Monte Carlo (``[simulation] scenarios``, else all)."""
        return self._specs(self.settings.scenarios)

    def replay_specs(self) -> tuple[Any, ...]:
        """The scenarios of the replays (``replay_scenarios``, else as the Monte Carlo)."""
        wanted = self.settings.replay_scenarios
        return self.scenario_specs() if wanted is None else self._specs(wanted)

    def _specs(self, wanted: tuple[str, ...]) -> tuple[Any, ...]:
        specs = self.experiment.scenarios
        if not wanted:
            return specs
        by_name = {s.name: s for s in specs}
        return tuple(by_name[n] for n in wanted)


# ----------------------------------------------------------------------------- helpers
def _num(values: Mapping[str, Any], key: str, default: float, where: str, source: str,
         problems: list[Problem], low: float | None = 0.0, high: float | None = None,
         low_open: bool = False) -> float:
    """:func:`cablesim._toml.number` with simulation parameters non-negative by default."""
    return number(values, key, default, where, source, problems, low, high, low_open)


def _int(table: Mapping[str, Any], key: str, default: int, where: str, source: str,
         problems: list[Problem], low: int = 0, high: int | None = None) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (
            high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f">= {low}"
        problems.append(Problem(source, None, f"{where}.{key}",
                                f"must be a whole number {bounds}, got {value!r}"))
        return default
    return int(value)


def _box(value: Any, where: str, source: str,
         problems: list[Problem]) -> tuple[float, float, float, float] | None:
    """An area as "lon_min,lat_min,lon_max,lat_max" (optionally "area:"-prefixed) or a list."""
    text = None
    if isinstance(value, str):
        text = value.split(":", 1)[1] if value.startswith("area:") else value
    elif isinstance(value, list) and len(value) == 4 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        text = ",".join(str(float(v)) for v in value)
    if text is None or not _is_area(text):
        problems.append(Problem(source, None, where, f"bad area {value!r}",
                                "lon_min,lat_min,lon_max,lat_max in degrees, min < max"))
        return None
    a, b, c, d = (float(v) for v in text.split(","))
    return (a, b, c, d)


def _date(value: Any, where: str, source: str, problems: list[Problem]) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(Problem(source, None, where, f"must be a date such as 2024-02-24, got "
                            f"{value!r}"))
    return _dt.date(2000, 1, 1)


# ----------------------------------------------------------------------------- sections
def _faults(raw: Mapping[str, Any], source: str, problems: list[Problem]) -> FaultRates:
    where = "simulation.faults"
    rates = read_settings(FaultRates, raw, where=where, source=source, problems=problems)
    areas_raw = raw.get("shallow_areas", [])
    areas: list[tuple[float, float, float, float]] = []
    if not isinstance(areas_raw, list):
        problems.append(Problem(source, None, f"{where}.shallow_areas",
                                "must be a list of areas such as 'area:99,-8,117,12'"))
    else:
        for i, a in enumerate(areas_raw):
            box = _box(a, f"{where}.shallow_areas[{i}]", source, problems)
            if box is not None:
                areas.append(box)
    return replace(rates, shallow_areas=tuple(areas))


def _repair(raw: Mapping[str, Any], source: str, problems: list[Problem]) -> RepairModel:
    where = "simulation.repair"
    model = read_settings(RepairModel, raw, where=where, source=source, problems=problems,
                          ignore=("region",))
    regions: list[RepairRegion] = []
    raw_regions = raw.get("region", [])
    if not isinstance(raw_regions, list):
        problems.append(Problem(source, None, f"{where}.region",
                                "must be an array of [[simulation.repair.region]] tables"))
        raw_regions = []
    names: set[str] = set()
    for i, item in enumerate(raw_regions):
        key = f"{where}.region[{i}]"
        item = _table(item, key, source, problems)
        region = read_settings(RepairRegion, item, where=key, source=source,
                               problems=problems)
        name = region.name
        if not name.strip():
            problems.append(Problem(source, None, f"{key}.name", "is missing"))
            name = f"region_{i + 1}"
        if name in names:
            problems.append(Problem(source, None, f"{key}.name", f"duplicate region {name!r}"))
        names.add(name)
        area = _box(item["area"], f"{key}.area", source, problems) if "area" in item else None
        if area is None and not region.countries and "area" not in item:
            problems.append(Problem(source, None, key, "says neither 'area' nor 'countries'"))
        regions.append(replace(region, name=name, area=area))
    return replace(model, regions=tuple(regions))


def _diurnal(raw: Mapping[str, Any], source: str, problems: list[Problem]) -> DiurnalCurve:
    where = "simulation.diurnal"
    curve = read_settings(DiurnalCurve, raw, where=where, source=source, problems=problems)
    hourly = raw.get("hourly", list(DEFAULT_HOURLY_SHAPE))
    if (not isinstance(hourly, list) or len(hourly) != 24 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 0
            and math.isfinite(v) for v in hourly) or sum(hourly) <= 0):
        problems.append(Problem(source, None, f"{where}.hourly",
                                "must be 24 non-negative numbers (local hours 0-23), not all 0"))
        hourly = list(DEFAULT_HOURLY_SHAPE)
    curve = replace(curve, hourly=tuple(float(v) for v in hourly))
    if min(curve.normalised()) < 0:
        problems.append(Problem(source, None, f"{where}.amplitude",
                                f"{curve.amplitude:g} makes the load negative at the trough"))
    return curve


def parse_replays(raw: Any, where: str, source: str, problems: list[Problem]
                  ) -> list[Replay]:
    """Parse a list of ``[[replay]]`` tables (``where`` is its key, e.g. ``"replay"``)."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(Problem(source, None, where, "must be an array of [[replay]] tables"))
        return []
    out: list[Replay] = []
    for i, item in enumerate(raw):
        key = f"{where}[{i}]"
        item = _table(item, key, source, problems)
        _unknown(item, _REPLAY_KEYS, key, source, problems)
        name = item.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", name or ""):
            problems.append(Problem(source, None, f"{key}.name",
                                    "is missing or not a plain name (letters, digits, _ . -)"))
            name = f"replay_{i + 1}"
        key = f"replay {name!r}"
        date = _date(item.get("date"), f"{key}.date", source, problems)
        stages: list[ReplayStage] = []
        if "cuts" in item:
            cuts = _selectors(item.get("cuts"), f"{key}.cuts", source, problems)
            if "duration_days" not in item:
                problems.append(Problem(source, None, f"{key}.duration_days",
                                        "is missing: how long the cuts last"))
            duration = _num(item, "duration_days", 1.0, key, source, problems, 0.0, None, True)
            if not cuts:
                problems.append(Problem(source, None, f"{key}.cuts", "is empty"))
            stages.append(ReplayStage(cuts, 0.0, duration))
        elif "duration_days" in item:
            problems.append(Problem(source, None, f"{key}.duration_days",
                                    "needs 'cuts' (or give durations in [[replay.stage]])"))
        raw_stages = item.get("stage", [])
        if not isinstance(raw_stages, list):
            problems.append(Problem(source, None, f"{key}.stage",
                                    "must be an array of [[replay.stage]] tables"))
            raw_stages = []
        for j, st in enumerate(raw_stages):
            skey = f"{key}.stage[{j}]"
            st = _table(st, skey, source, problems)
            _unknown(st, _STAGE_KEYS, skey, source, problems)
            cuts = _selectors(st.get("cuts"), f"{skey}.cuts", source, problems)
            if not cuts:
                problems.append(Problem(source, None, f"{skey}.cuts", "is missing or empty"))
            if "duration_days" not in st:
                problems.append(Problem(source, None, f"{skey}.duration_days", "is missing"))
            stages.append(ReplayStage(
                cuts, _num(st, "start_day", 0.0, skey, source, problems),
                _num(st, "duration_days", 1.0, skey, source, problems, 0.0, None, True),
                str(st.get("note", ""))))
        if not stages:
            problems.append(Problem(source, None, key,
                                    "gives no cuts: add 'cuts' and 'duration_days', or "
                                    "[[replay.stage]] tables"))
            stages.append(ReplayStage((), 0.0, 1.0))
        year = item.get("network_year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            problems.append(Problem(source, None, f"{key}.network_year",
                                    "must be a whole year"))
            year = None
        out.append(Replay(name, str(item.get("description", "")), date, tuple(stages), year,
                          str(item.get("citation", "")), source))
    return out


def _settings(raw: Mapping[str, Any], source: str, base: Path, scenario_names: list[str],
              problems: list[Problem]) -> tuple[SimulationSettings, list[Replay]]:
    where = "simulation"
    settings = read_settings(SimulationSettings, raw, where=where, source=source,
                             problems=problems, ignore=("faults", "repair", "diurnal"))

    def names(key: str) -> list[str]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            problems.append(Problem(source, None, f"{where}.{key}",
                                    "must be a list of scenario names"))
            return []
        for s in value:
            if scenario_names and s not in scenario_names:
                problems.append(Problem(source, None, f"{where}.{key}",
                                        f"no scenario named {s!r}",
                                        did_you_mean(s, scenario_names)))
        return [s for s in value if not scenario_names or s in scenario_names]

    scenarios = names("scenarios")
    replay_scenarios = tuple(names("replay_scenarios")) if "replay_scenarios" in raw else None
    replays: list[Replay] = []
    files = raw.get("replays", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        problems.append(Problem(source, None, f"{where}.replays",
                                "must be a list of replay files (relative to this file)"))
        files = []
    for i, name in enumerate(files):
        path = (base / name).resolve()
        if not path.is_file():
            problems.append(Problem(source, None, f"{where}.replays[{i}]",
                                    f"file {str(path)!r} does not exist"))
            continue
        try:
            doc = _read_toml(path)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        rsource = str(path)
        _unknown(doc, _REPLAY_FILE_KEYS, "", rsource, problems)
        found = parse_replays(doc.get("replay"), "replay", rsource, problems)
        if not found:
            problems.append(Problem(rsource, None, "replay", "holds no [[replay]] table"))
        replays.extend(found)
    settings = replace(
        settings,
        scenarios=tuple(scenarios),
        replay_scenarios=replay_scenarios,
        replays=tuple(files),
        faults=_faults(_table(raw.get("faults"), f"{where}.faults", source, problems), source,
                       problems),
        repair=_repair(_table(raw.get("repair"), f"{where}.repair", source, problems), source,
                       problems),
        diurnal=_diurnal(_table(raw.get("diurnal"), f"{where}.diurnal", source, problems),
                         source, problems),
    )
    if 96 % settings.capacitated_slots:
        problems.append(Problem(source, None, f"{where}.capacitated_slots",
                                "must divide the day into equal quarter-hour blocks "
                                "(1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48 or 96)"))
    return settings, replays


# ----------------------------------------------------------------------------- loading
def _load_base_experiment(file: Path, doc: Mapping[str, Any]) -> Experiment:
    """Load the experiment part of ``file`` (everything but [simulation] and [[replay]])."""
    return load_experiment(file, extra_tables=("simulation", "replay"))


def load_simulation(path: str | os.PathLike[str]) -> SimulationExperiment:
    """Read a resilience experiment: the scenarios, ``[simulation]`` and the replays.

    Raises
    ------
    ScenarioError
        Listing every problem, each naming the file and key (unknown keys with a
        "did you mean" hint); replay files are named in their own problems.
    """
    file = Path(path)
    source = str(file)
    doc = _read_toml(file)
    problems: list[Problem] = []
    try:
        experiment: Experiment | None = _load_base_experiment(file, doc)
    except ScenarioError as exc:
        problems.extend(exc.problems)
        experiment = None
    names = [s.name for s in experiment.scenarios] if experiment else []
    raw = _table(doc.get("simulation"), "simulation", source, problems)
    settings, replays = _settings(raw, source, file.parent, names, problems)
    replays = parse_replays(doc.get("replay"), "replay", source, problems) + replays
    seen: set[str] = set()
    for r in replays:
        if r.name in seen:
            problems.append(Problem(r.source, None, f"replay {r.name!r}.name",
                                    f"duplicate replay name {r.name!r}"))
        seen.add(r.name)
    if problems or experiment is None:
        raise ScenarioError(f"experiment {source!r} is invalid", problems)
    return SimulationExperiment(experiment, settings, tuple(replays), file,
                                hashlib.sha256(file.read_bytes()).hexdigest())
