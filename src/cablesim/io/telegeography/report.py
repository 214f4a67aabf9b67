"""The import report: typed records, ``import_report.json`` and ``import_report.md``.

:class:`ImportReport` holds what an import read and did, as frozen records; its
:meth:`ImportReport.to_dict` is the JSON form written to ``import_report.json`` (which the
command line extends with ``merged``, ``demand`` and ``timings_s.write``), and
:func:`import_report_markdown` renders that form as ``import_report.md``.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cablesim._atomic import atomic_write_text
from cablesim.io.telegeography.reference import UNKNOWN_COUNTRY, ImportSettings

__all__ = [
    "REPORT_JSON",
    "REPORT_MD",
    "Fallback",
    "UnparseableField",
    "TbdLanding",
    "MissingPosition",
    "DuplicateLandingEntry",
    "UnknownCountry",
    "LongBackhaul",
    "CableOutcome",
    "SourceFiles",
    "ImportCounts",
    "Timings",
    "ImportReport",
    "write_import_report",
    "import_report_markdown",
]

REPORT_JSON = "import_report.json"
REPORT_MD = "import_report.md"


# ============================================================================== records
@dataclass(frozen=True)
class Fallback:
    """An approximation the importer made for a cable.

    Attributes
    ----------
    cable : str
        Cable id (TeleGeography slug).
    file : str
        Its per-cable file ("" when it has none).
    kind : str
        ``no_geometry``, ``geometry_unmatched``, ``geometry_unusable``,
        ``landing_connector``, ``colocated_landing``, ``gap_bridged``, ``loop_dropped``,
        ``length_scaled`` or ``length_mismatch`` (see ``import_report.md``).
    detail : str
        What was done, with lengths in km.
    """

    cable: str
    file: str
    kind: str
    detail: str


@dataclass(frozen=True)
class UnparseableField:
    """A free-text value that could not be read (the documented default applies).

    Attributes
    ----------
    file : str
        The file holding it.
    cable : str or None
        Cable id (None in ``landing-point-geo.json``).
    field : str
        Path of the value, e.g. ``length`` or ``landing_points[3].is_tbd``.
    value : str
        The value, shortened for display.
    reason : str
        ``"n.a."`` (a not-available marker) or ``"unparseable"``.
    """

    file: str
    cable: str | None
    field: str
    value: str
    reason: str


@dataclass(frozen=True)
class TbdLanding:
    """A landing point TeleGeography marks as not yet fixed (kept at its position).

    Attributes
    ----------
    cable, file : str
        The cable listing it and its file.
    landing_point : int
        Position in the cable's ``landing_points`` (from 1).
    id, name : str
        Landing point id and name.
    """

    cable: str
    file: str
    landing_point: int
    id: str
    name: str


@dataclass(frozen=True)
class MissingPosition:
    """A cable's landing point without a position (left out of the cable).

    Attributes
    ----------
    cable, file : str
        The cable and its file.
    landing_point : int
        Position in the cable's ``landing_points`` (from 1).
    id : str
        Landing point id.
    name : str or None
        Its name, when given.
    why : str
        Where a position was looked for.
    """

    cable: str
    file: str
    landing_point: int
    id: str
    name: str | None
    why: str


@dataclass(frozen=True)
class DuplicateLandingEntry:
    """A landing point listed twice by one cable (the second entry is ignored).

    Attributes
    ----------
    cable, file : str
        The cable and its file.
    landing_point : int
        Position of the repeated entry (from 1).
    id : str
        Landing point id.
    """

    cable: str
    file: str
    landing_point: int
    id: str


@dataclass(frozen=True)
class UnknownCountry:
    """A country name not in :data:`~cablesim.io.telegeography.COUNTRY_ISO3`.

    Attributes
    ----------
    name : str
        The name as read (``"(none)"`` when there was none).
    landing_points : tuple of str
        Ids of the landing points carrying it (sorted), coded ``XXX``.
    """

    name: str
    landing_points: tuple[str, ...]


@dataclass(frozen=True)
class LongBackhaul:
    """A backhaul link longer than ``ImportSettings.long_backhaul_km``.

    Attributes
    ----------
    link : str
        Link id (``bh:<landing point>``).
    country : str
        ISO3 code.
    great_circle_km : float
        Great-circle distance from the landing point to the country node, km (0.1 km).
    """

    link: str
    country: str
    great_circle_km: float


@dataclass(frozen=True)
class CableOutcome:
    """What the import did with one cable (a row of the report's cable table).

    Attributes
    ----------
    id, name : str
        Cable id and name.
    file : str or None
        Its per-cable file.
    geometry_features : tuple of int
        Its features in ``cable-geo.json`` (positions from 1).
    outcome : str
        ``inferred`` (segments from the route lines), ``approximated`` (shortest tree of
        the landing points) or ``no_links``.
    reason : str
        Why, or notes on the inference.
    status : str or None
        ``existing`` or ``planned`` (None without a per-cable file).
    rfs : str or None
        TeleGeography's RFS text.
    rfs_year : int or None
        RFS year read.
    stated_km, route_km : float or None
        TeleGeography's stated length and the summed segment lengths (0.1 km), km.
    length_scale : float or None
        Factor applied to the segment lengths (None for 1).
    landing_points_listed, landing_points_used, tbd_landing_points : int
        Landing points in the file, with a position, and marked t.b.d.
    segments, branching_units : int
        Links and junction nodes made.
    capacity_gbps : float or None
        Design capacity per direction, Gbps.
    capacity_source : str or None
        ``csv`` or ``default RFS <era>``.
    fallbacks : tuple of str
        Kinds of the cable's fallbacks, in order.
    """

    id: str
    name: str
    file: str | None
    geometry_features: tuple[int, ...] = ()
    outcome: str = ""
    reason: str = ""
    status: str | None = None
    rfs: str | None = None
    rfs_year: int | None = None
    stated_km: float | None = None
    route_km: float | None = None
    length_scale: float | None = None
    landing_points_listed: int = 0
    landing_points_used: int = 0
    tbd_landing_points: int = 0
    segments: int = 0
    branching_units: int = 0
    capacity_gbps: float | None = None
    capacity_source: str | None = None
    fallbacks: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceFiles:
    """What was read.

    Attributes
    ----------
    cable_geo, landing_point_geo : str
        Paths of the two GeoJSON files.
    cable_files : int
        Per-cable files read.
    index_files_skipped : tuple of str
        JSON lists in ``cable/`` (index files such as ``all.json``), skipped.
    geometry_features, geometry_features_merged_into_one_cable : int
        Features of ``cable-geo.json``, and those merged into an earlier feature of the
        same cable.
    landing_point_features, landing_point_features_duplicate : int
        Features of ``landing-point-geo.json``, and repeats of an earlier id (ignored).
    landing_point_ids_duplicate : tuple of str
        The repeated ids (sorted).
    """

    cable_geo: str
    landing_point_geo: str
    cable_files: int
    index_files_skipped: tuple[str, ...]
    geometry_features: int
    geometry_features_merged_into_one_cable: int
    landing_point_features: int
    landing_point_features_duplicate: int
    landing_point_ids_duplicate: tuple[str, ...]


@dataclass(frozen=True)
class ImportCounts:
    """Sizes of the import.

    Attributes
    ----------
    cables, cables_in_geometry, cables_with_file, cables_with_links : int
        Cables (the union of ``cable-geo.json`` and the per-cable files), those in each
        source, and those that got links.
    landing_points, branching_units, cities, countries : int
        Nodes by kind, and countries (known ISO3 codes) with a landing point.
    nodes, links : int
        Table sizes.
    links_by_kind, links_by_status : mapping of str to int
        Link counts.
    components : int
        Connected components of the topology.
    total_km : float
        Summed link length, km.
    """

    cables: int
    cables_in_geometry: int
    cables_with_file: int
    cables_with_links: int
    landing_points: int
    branching_units: int
    cities: int
    countries: int
    nodes: int
    links: int
    links_by_kind: Mapping[str, int]
    links_by_status: Mapping[str, int]
    components: int
    total_km: float


@dataclass(frozen=True)
class Timings:
    """Wall-clock time of the import stages, s (rounded to ms)."""

    read: float
    segments: float
    validate: float
    total: float


@dataclass(frozen=True)
class ImportReport:
    """The import report: what was read, every approximation and oddity, every cable.

    Attributes
    ----------
    cablesim_version, source, snapshot : str
        Version, data folder and snapshot label.
    snapshot_year : int or None
        Year of the snapshot (planned status of later RFS in the v2 layout).
    layout : str
        ``v2``, ``current``, ``v2+current`` or ``unknown``.
    citation_tag : str
        The ``[TeleGeography <label>]`` tag of the citations.
    files : SourceFiles
    counts : ImportCounts
    fallbacks : tuple of Fallback
    tbd_landing_points : tuple of TbdLanding
    unparseable_fields : tuple of UnparseableField
    landing_points_without_coordinates : tuple of MissingPosition
    duplicate_landing_entries : tuple of DuplicateLandingEntry
    unknown_countries : tuple of UnknownCountry
        Sorted by name.
    unused_landing_points : tuple of str
        Ids in ``landing-point-geo.json`` no cable uses (not imported), sorted.
    ignored_fields : mapping of str to int
        Members the importer does not read, with the number of files holding them.
    capacity : mapping of str to int
        Cables per capacity source (``csv``, ``default RFS <era>``).
    long_backhaul_links : tuple of LongBackhaul
    settings : ImportSettings
    cables : tuple of CableOutcome
        One per cable, sorted by id.
    timings : Timings
    """

    cablesim_version: str
    source: str
    snapshot: str
    snapshot_year: int | None
    layout: str
    citation_tag: str
    files: SourceFiles
    counts: ImportCounts
    fallbacks: tuple[Fallback, ...]
    tbd_landing_points: tuple[TbdLanding, ...]
    unparseable_fields: tuple[UnparseableField, ...]
    landing_points_without_coordinates: tuple[MissingPosition, ...]
    duplicate_landing_entries: tuple[DuplicateLandingEntry, ...]
    unknown_countries: tuple[UnknownCountry, ...]
    unused_landing_points: tuple[str, ...]
    ignored_fields: Mapping[str, int]
    capacity: Mapping[str, int]
    long_backhaul_links: tuple[LongBackhaul, ...]
    settings: ImportSettings
    cables: tuple[CableOutcome, ...]
    timings: Timings

    @property
    def cables_by_outcome(self) -> dict[str, int]:
        """Cables per outcome, sorted by outcome."""
        return dict(sorted(Counter(c.outcome for c in self.cables).items()))

    @property
    def cables_by_status(self) -> dict[str, int]:
        """Cables per status (``unknown`` without a per-cable file), sorted."""
        return dict(sorted(Counter(c.status or "unknown" for c in self.cables).items()))

    @property
    def fallback_counts(self) -> dict[str, int]:
        """Fallbacks per kind, sorted by kind."""
        return dict(sorted(Counter(f.kind for f in self.fallbacks).items()))

    @property
    def unparseable_counts(self) -> dict[str, dict[str, int]]:
        """Unparseable values per field (list positions as ``[]``) and reason, sorted."""
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for item in self.unparseable_fields:
            key = re.sub(r"\[\d+\]", "[]", item.field)
            counts[key][item.reason] = counts[key].get(item.reason, 0) + 1
        return {k: dict(sorted(v.items())) for k, v in sorted(counts.items())}

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (the content of ``import_report.json``): plain dicts and lists."""
        def rows(records: Iterable[Any]) -> list[dict[str, Any]]:
            return [dataclasses.asdict(r) for r in records]

        return _plain({
            "cablesim_version": self.cablesim_version,
            "source": self.source,
            "snapshot": self.snapshot,
            "snapshot_year": self.snapshot_year,
            "layout": self.layout,
            "citation_tag": self.citation_tag,
            "files": dataclasses.asdict(self.files),
            "counts": dataclasses.asdict(self.counts),
            "cables_by_outcome": self.cables_by_outcome,
            "cables_by_status": self.cables_by_status,
            "fallbacks": self.fallback_counts,
            "fallback_details": rows(self.fallbacks),
            "tbd_landing_points": rows(self.tbd_landing_points),
            "unparseable_fields": rows(self.unparseable_fields),
            "unparseable_counts": self.unparseable_counts,
            "landing_points_without_coordinates": rows(self.landing_points_without_coordinates),
            "duplicate_landing_entries": rows(self.duplicate_landing_entries),
            "unknown_countries": rows(self.unknown_countries),
            "unused_landing_points": {"count": len(self.unused_landing_points),
                                      "ids": list(self.unused_landing_points)},
            "ignored_fields": dict(self.ignored_fields),
            "capacity": dict(self.capacity),
            "long_backhaul_links": rows(self.long_backhaul_links),
            "settings": dataclasses.asdict(self.settings),
            "cables": rows(self.cables),
            "timings_s": dataclasses.asdict(self.timings),
        })


def _plain(value: Any) -> Any:
    """``value`` with every tuple a list and every mapping a dict (JSON's types)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# ============================================================================== files

def write_import_report(report: ImportReport | Mapping[str, Any],
                        folder: str | os.PathLike[str]) -> list[Path]:
    """Write ``import_report.json`` and ``import_report.md`` into ``folder`` (atomically).

    Parameters
    ----------
    report : ImportReport or mapping
        The report, or its JSON form (:meth:`ImportReport.to_dict`, possibly extended with
        ``merged`` and ``demand``).
    folder : path-like
        The topology folder.
    """
    if isinstance(report, ImportReport):
        report = report.to_dict()
    folder = Path(folder)
    return [atomic_write_text(folder / REPORT_JSON,
                              json.dumps(report, indent=1, ensure_ascii=False, default=str)
                              + "\n"),
            atomic_write_text(folder / REPORT_MD, import_report_markdown(report))]


def _md_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return out


def import_report_markdown(report: ImportReport | Mapping[str, Any]) -> str:
    """The import report as Markdown (the text of ``import_report.md``), from the report or
    its JSON form."""
    if isinstance(report, ImportReport):
        report = report.to_dict()
    c = report["counts"]
    lines = [
        f"# Import report: TeleGeography {report['snapshot']}",
        "",
        f"Source `{report['source']}` (layout: {report['layout']}); cablesim "
        f"{report['cablesim_version']}. Data (c) TeleGeography, CC BY-NC-SA 3.0: attribute "
        "TeleGeography wherever results derived from it are shown.",
        "",
        f"Every one of the {c['cables']} cables is listed below with its outcome: "
        + ", ".join(f"{v} {k}" for k, v in report["cables_by_outcome"].items())
        + ". By status: " + ", ".join(f"{v} {k}" for k, v in report["cables_by_status"].items())
        + ".",
        "",
        "## Summary",
        "",
    ]
    lines += _md_table(["item", "count"], [
        ("cables (union of cable-geo.json and the per-cable files)", c["cables"]),
        ("cables in cable-geo.json", c["cables_in_geometry"]),
        ("cables with a per-cable file", c["cables_with_file"]),
        ("cables with links", c["cables_with_links"]),
        ("landing points imported", c["landing_points"]),
        ("landing points in landing-point-geo.json used by no cable (not imported)",
         report["unused_landing_points"]["count"]),
        ("branching units (junction nodes)", c["branching_units"]),
        ("countries (city nodes)", f"{c['countries']} ({c['cities']})"),
        ("nodes / links", f"{c['nodes']} / {c['links']}"),
        ("links by kind", ", ".join(f"{k} {v}" for k, v in c["links_by_kind"].items())),
        ("connected components", c["components"]),
        ("total length, km", f"{c['total_km']:,.0f}"),
    ])
    lines += ["", "## Fallbacks", "",
              "Kinds: `no_geometry` / `geometry_unmatched` / `geometry_unusable` (the cable is "
              "approximated by the shortest tree joining its landing points); "
              "`landing_connector` (a landing point beyond the snap tolerance is joined to the "
              "nearest route point by a straight connector); `colocated_landing` (two landing "
              "points at one route point, joined by a short straight link); `gap_bridged` "
              "(pieces of the drawing joined by a straight link); `loop_dropped` (a loop of the "
              "drawing without a landing point); `length_scaled` (segment lengths scaled up to "
              "the stated cable length); `length_mismatch` (the drawing is longer than the "
              "stated length: drawn lengths kept).", ""]
    lines += _md_table(["kind", "count"], sorted(report["fallbacks"].items()))
    lines += [""]
    lines += _md_table(["cable", "kind", "detail"], [(f["cable"], f["kind"], f["detail"])
                                                     for f in report["fallback_details"]])
    lines += ["", "## Unparseable or not-available fields", ""]
    lines += _md_table(["field", "counts"], [(k, ", ".join(f"{r} {n}" for r, n in v.items()))
                                             for k, v in report["unparseable_counts"].items()])
    lines += [""]
    lines += _md_table(["file", "field", "value", "reason"],
                       [(Path(u["file"]).name, u["field"], u["value"], u["reason"])
                        for u in report["unparseable_fields"]])
    lines += ["", "## t.b.d. landing points", "",
              "Kept as landing nodes at TeleGeography's placeholder position (flagged in their "
              "citation).", ""]
    lines += _md_table(["cable", "landing point", "id", "name"],
                       [(t["cable"], t["landing_point"], t["id"], t["name"])
                        for t in report["tbd_landing_points"]])
    lines += ["", "## Landing points without a position (left out of their cable)", ""]
    lines += _md_table(["cable", "landing point", "id"],
                       [(t["cable"], t["landing_point"], t["id"])
                        for t in report["landing_points_without_coordinates"]])
    lines += ["", "## Unknown country names", "",
              f"Their landing points get the code {UNKNOWN_COUNTRY} and no country node.", ""]
    lines += _md_table(["name", "landing points"],
                       [(u["name"], ", ".join(u["landing_points"]))
                        for u in report["unknown_countries"]])
    dup = report["duplicate_landing_entries"]
    lines += ["", f"Landing points listed twice in one cable (second entry ignored): {len(dup)}. "
              f"Landing point features repeated in landing-point-geo.json (first used): "
              f"{report['files']['landing_point_features_duplicate']}. Cable features merged "
              f"into one cable: {report['files']['geometry_features_merged_into_one_cable']}.",
              "", "Members not used by the importer (ignored): "
              + (", ".join(f"`{k}` ({v})" for k, v in report["ignored_fields"].items())
                 or "none") + ".", "",
              "Capacity: " + ", ".join(f"{k}: {v} cables" for k, v in report["capacity"].items())
              + ".", "",
              f"Backhaul links longer than {report['settings']['long_backhaul_km']:,.0f} km "
              f"(stand-ins for a national backbone): {len(report['long_backhaul_links'])}.", ""]
    if report.get("demand"):
        d = report["demand"]
        lines += [f"Demand: `{d['file']}`, {d['pairs']:,} pairs between {d['countries']} "
                  f"countries, {d['total_gbps']:,.0f} Gbps in total ({d.get('citation', '')}). "
                  "Countries left out (not in the main connected component, or no "
                  "international cable): " + (", ".join(d.get("excluded_countries", []))
                                              or "none") + ".", ""]
    for m in report.get("merged", []):
        lines += [f"Merged `{m['other']}`: landing points matched by id "
                  f"{m['landings_matched_by_id']}, by distance (<= {m['match_km']:g} km) "
                  f"{len(m['landings_matched_by_distance'])}; nodes added {m['nodes_added']} "
                  f"({', '.join(f'{k} {v}' for k, v in m['nodes_added_by_kind'].items())}); "
                  f"links added {m['links_added']} "
                  f"({', '.join(f'{k} {v}' for k, v in m['links_added_by_kind'].items())}); "
                  f"submarine links dropped as duplicates of imported cables "
                  f"{m['submarine_links_dropped_as_duplicates']} "
                  f"({len(m['cables_dropped_as_duplicates'])} cables); country nodes replaced: "
                  + (", ".join(m["country_nodes_replaced"]) or "none")
                  + f"; backhaul links re-pointed {m['backhaul_links_repointed']}.", ""]
    lines += ["## Cables", ""]
    lines += _md_table(
        ["cable", "outcome", "status", "RFS", "landings (used/listed)", "t.b.d.", "segments",
         "BUs", "route km", "stated km", "scale", "capacity Gbps", "fallbacks"],
        [(c["id"], c["outcome"], c["status"], c["rfs_year"],
          f"{c['landing_points_used']}/{c['landing_points_listed']}", c["tbd_landing_points"],
          c["segments"], c["branching_units"], c["route_km"], c["stated_km"], c["length_scale"],
          c["capacity_gbps"], ", ".join(sorted(set(c["fallbacks"]))) or c["reason"])
         for c in report["cables"]])
    t = report["timings_s"]
    lines += ["", "Timings, s: " + ", ".join(f"{k} {v}" for k, v in t.items()) + ".", ""]
    return "\n".join(lines)
