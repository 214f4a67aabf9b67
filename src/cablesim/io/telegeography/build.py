"""The import: parsed TeleGeography records to node and link tables, and the report.

:func:`read_telegeography` reads a folder (:mod:`.reader`), infers every cable's segments
(:mod:`.segments`) and builds the topology; :func:`import_telegeography` also writes it.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from cablesim._version import __version__
from cablesim.geo import path_length_km
from cablesim.io.telegeography.capacity import load_capacity_csv
from cablesim.io.telegeography.reader import (
    CableFile,
    CableLanding,
    FolderData,
    GeoCable,
    GeoLanding,
    parse_bool,
    parse_length_km,
    parse_rfs_year,
    read_folder,
    short_repr,
)
from cablesim.io.telegeography.reference import (
    CAPACITY_BY_RFS,
    HUB_LANDING_OVERRIDES,
    KM_PER_DEG,
    PRICE_RATES,
    ROUTE_FACTOR_CITE,
    UNKNOWN_COUNTRY,
    ImportSettings,
    capacity_default,
    country_iso3,
    price_citation,
    price_class,
)
from cablesim.io.telegeography.report import (
    CableOutcome,
    DuplicateLandingEntry,
    Fallback,
    ImportCounts,
    ImportReport,
    LongBackhaul,
    MissingPosition,
    SourceFiles,
    TbdLanding,
    Timings,
    UnknownCountry,
    UnparseableField,
    write_import_report,
)
from cablesim.io.telegeography.segments import (
    Point,
    approximate_segments,
    infer_segments,
    planar_deg,
    planar_deg_many,
    route_geometry,
)
from cablesim.io.topology import save_topology
from cablesim.network import Network

__all__ = ["TelegeographyImport", "read_telegeography", "import_telegeography"]

# ============================================================================== the import
@dataclass
class TelegeographyImport:
    """The result of :func:`read_telegeography`.

    Attributes
    ----------
    network : Network
        The validated topology (landing, junction and city nodes; submarine, metro and
        terrestrial links; route geometry).
    report : dict
        The import report's JSON form (:meth:`ImportReport.to_dict` of ``summary``), which
        the command line extends with ``merged``, ``demand`` and ``timings_s.write`` before
        writing it (:func:`write_import_report`).
    nodes, links : DataFrame
        The tables as written to ``nodes.csv`` and ``links.csv``.
    routes : dict of str to geometry
        Route geometry per link id (written to ``geometry.geojson``).
    route_citations : dict of str to str
        Citation of each route.
    summary : ImportReport
        The import report as typed records: what was read, every fallback, t.b.d. landing
        point, unparseable field and unknown country, and one row per cable.
    """

    network: Network
    report: dict[str, Any]
    nodes: pd.DataFrame
    links: pd.DataFrame
    routes: dict[str, BaseGeometry]
    route_citations: dict[str, str]
    summary: ImportReport


@dataclass
class _Landing:
    id: str
    name: str
    lon: float
    lat: float
    country: str
    country_text: str
    source: str
    tbd: bool
    systems: dict[str, tuple[float, str, int | None]] = field(default_factory=dict)


def _snapshot_year(*texts: str) -> int | None:
    for text in texts:
        match = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text or "")
        if match:
            return int(match.group(1))
    return None


@dataclass
class _Tables:
    """Rows of ``nodes.csv`` and ``links.csv`` (schema column -> value), and the routes of
    ``geometry.geojson`` with their citations, by link id."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    routes: dict[str, BaseGeometry] = field(default_factory=dict)
    route_cites: dict[str, str] = field(default_factory=dict)


@dataclass
class _Findings:
    """What the builder notices, in the order found (the lists of the import report)."""

    fallbacks: list[Fallback] = field(default_factory=list)
    unparseable: list[UnparseableField] = field(default_factory=list)
    tbd: list[TbdLanding] = field(default_factory=list)
    no_coords: list[MissingPosition] = field(default_factory=list)
    duplicates: list[DuplicateLandingEntry] = field(default_factory=list)
    unknown_country: defaultdict[str, list[str]] = field(
        default_factory=lambda: defaultdict(list))
    capacity_sources: Counter[str] = field(default_factory=Counter)
    long_backhaul: list[LongBackhaul] = field(default_factory=list)


class _Builder:
    """Turns the parsed files into node and link tables plus the report's records."""

    def __init__(self, label: str, year: int | None, settings: ImportSettings,
                 capacities: Mapping[str, tuple[float, str]]) -> None:
        self.tag = f"[TeleGeography {label}]"
        self.year = year
        self.s = settings
        self.capacities = capacities
        self.landings: dict[str, _Landing] = {}
        self.cables: list[CableOutcome] = []
        self.out = _Tables()
        self.found = _Findings()

    # ---------------------------------------------------------------- landing points
    def landing(self, cable: CableFile, entry: CableLanding,
                geo: Mapping[str, GeoLanding]) -> _Landing | None:
        point = geo.get(entry.id)
        lon = lat = None
        source = ""
        if point is not None and point.lon is not None:
            lon, lat, source = point.lon, point.lat, "landing-point-geo.json"
        elif entry.latlon is not None:
            (lon, lat), source = entry.latlon, f"the latlon of {Path(cable.file).name}"
        if lon is None or lat is None:
            self.found.no_coords.append(MissingPosition(
                cable.id, cable.file, entry.index, entry.id,
                entry.name or (point.name if point else None),
                "no position in landing-point-geo.json and no latlon in the cable file"))
            return None
        name = entry.name or (point.name if point else None) or entry.id
        tbd_flag = entry.is_tbd if entry.is_tbd is not None else (point.is_tbd if point else None)
        if entry.is_tbd is None and entry.is_tbd_raw is not None:
            self.found.unparseable.append(UnparseableField(
                cable.file, cable.id, f"landing_points[{entry.index}].is_tbd",
                short_repr(entry.is_tbd_raw), "unparseable"))
        tbd = bool(tbd_flag) or name.lower().startswith("t.b.d")
        if tbd:
            self.found.tbd.append(TbdLanding(cable.id, cable.file, entry.index, entry.id, name))
        known = self.landings.get(entry.id)
        if known is not None:
            return known
        code, text = country_iso3(name, entry.country, lon, lat)
        if code is None:
            self.found.unknown_country[text or "(none)"].append(entry.id)
            code = UNKNOWN_COUNTRY
        landing = _Landing(entry.id, name, float(lon), float(lat), code, text, source, tbd)
        self.landings[entry.id] = landing
        return landing

    # ---------------------------------------------------------------- one cable
    def cable(self, cid: str, file: CableFile | None, geo: GeoCable | None,
              geo_landings: Mapping[str, GeoLanding]) -> None:
        """Add one cable's nodes, links and routes, and its row of the report."""
        name = (file.name if file else None) or (geo.name if geo else None) or cid
        row = CableOutcome(cid, name, file.file if file else None,
                           tuple(geo.features) if geo else (),
                           landing_points_listed=len(file.landings) if file else 0)
        if file is None:
            self.cables.append(replace(row, outcome="no_links", reason=(
                "no per-cable file: its landing points are unknown (geometry only)")))
            return
        kinds: list[str] = []

        def fallback(kind: str, detail: str) -> None:
            self.found.fallbacks.append(Fallback(cid, file.file or "", kind, detail))
            kinds.append(kind)

        row = self._cable(row, file, geo, geo_landings, fallback)
        self.cables.append(replace(row, fallbacks=tuple(kinds)))

    def _stated_rfs_status(self, cid: str, file: CableFile
                           ) -> tuple[float | None, int | None, str]:
        """A cable's stated length (km), RFS year and status, unreadable values recorded."""
        stated, how = parse_length_km(file.length)
        if how in ("n.a.", "unparseable"):
            self.found.unparseable.append(UnparseableField(
                file.file, cid, "length", short_repr(file.length), how))
        rfs_year, how_y = (None, "absent")
        if file.rfs_year is not None:
            rfs_year, how_y = parse_rfs_year(file.rfs_year)
            if how_y != "ok":
                self.found.unparseable.append(UnparseableField(
                    file.file, cid, "rfs_year", short_repr(file.rfs_year), how_y))
        if rfs_year is None:
            rfs_year, how_r = parse_rfs_year(file.rfs)
            if how_r in ("n.a.", "unparseable"):
                self.found.unparseable.append(UnparseableField(
                    file.file, cid, "rfs", short_repr(file.rfs), how_r))
        planned, readable = parse_bool(file.is_planned)  # same true/false grammar
        if not readable:
            self.found.unparseable.append(UnparseableField(
                file.file, cid, "is_planned", short_repr(file.is_planned), "unparseable"))
        if planned is True:
            status = "planned"
        elif planned is False:
            status = "existing"
        elif rfs_year is not None and self.year is not None and rfs_year > self.year:
            status = "planned"
        else:
            status = "existing"
        return stated, rfs_year, status

    def _cable(self, row: CableOutcome, file: CableFile, geo: GeoCable | None,
               geo_landings: Mapping[str, GeoLanding], fallback: Callable[[str, str], None]
               ) -> CableOutcome:
        cid, name = row.id, row.name
        stated, rfs_year, status = self._stated_rfs_status(cid, file)
        row = replace(row, status=status, rfs=file.rfs if isinstance(file.rfs, str) else None,
                      rfs_year=rfs_year, stated_km=stated)
        if cid in self.capacities:
            gbps, csv_cite = self.capacities[cid]
            cap_cite, design, cap_source = f"design {gbps:g} Gbps: {csv_cite}", gbps, "csv"
        else:
            gbps, era, why = capacity_default(rfs_year)
            cap_cite = f"estimate: default for RFS {era} ({why}); no design figure given"
            design, cap_source = None, f"default RFS {era}"
        self.found.capacity_sources[cap_source] += 1
        row = replace(row, capacity_gbps=gbps, capacity_source=cap_source)
        # landing points
        used: list[_Landing] = []
        seen: set[str] = set()
        for entry in file.landings:
            if entry.id in seen:
                self.found.duplicates.append(DuplicateLandingEntry(cid, file.file, entry.index,
                                                                   entry.id))
                continue
            seen.add(entry.id)
            landing = self.landing(file, entry, geo_landings)
            if landing is None:
                continue
            used.append(landing)
        row = replace(row, landing_points_used=len(used),
                      tbd_landing_points=sum(int(x.tbd) for x in used))
        for landing in used:
            landing.systems[cid] = (gbps, status, rfs_year)
        if len(used) < 2:
            return replace(row, outcome="no_links", reason=(
                f"{len(used)} landing point{'s' if len(used) != 1 else ''} with a position: a "
                "link needs two"))
        points = [(x.id, x.lon, x.lat) for x in used]
        inference = None
        if geo is not None and geo.lines:
            inference = infer_segments(geo.lines, points, self.s, f"bu:{cid}:")
            snapped = len(used) - sum(1 for k, _ in inference.fallbacks
                                      if k in ("landing_connector",))
            if not inference.segments:
                fallback("geometry_unusable", "the route lines give no segment "
                              "between landing points: approximated")
                inference = None
            elif snapped == 0:
                fallback("geometry_unmatched", "no landing point lies within "
                              f"{self.s.snap_km:.1f} km of the route lines: approximated")
                inference = None
        elif geo is None:
            fallback("no_geometry", "no feature in cable-geo.json: approximated")
        else:
            fallback("no_geometry", "its cable-geo.json feature has no route lines: "
                          "approximated")
        if inference is not None:
            for kind, detail in inference.fallbacks:
                fallback(kind, detail)
            segments = inference.segments
            bus = inference.branching_units
            row = replace(row, outcome="inferred", reason="; ".join(inference.notes))
        else:
            segments = approximate_segments(points)
            bus = {}
            row = replace(row, outcome="approximated",
                          reason="; ".join(f.detail for f in self.found.fallbacks[-1:]))
        total = sum(s.length_km for s in segments)
        row = replace(row, route_km=round(total, 1))
        scale, scale_note = 1.0, ""
        if inference is None:
            if stated and total > 0 and stated >= total:
                scale = stated / total
                scale_note = (f"; approximated: straight links of the shortest tree joining the "
                              f"landing points, lengths scaled x{scale:.3f} to TeleGeography's "
                              f"stated {stated:,.0f} km")
            elif stated:
                scale_note = (f"; approximated: straight links of the shortest tree joining the "
                              f"landing points, great-circle lengths (their sum {total:,.0f} km "
                              f"already exceeds TeleGeography's stated {stated:,.0f} km)")
            else:
                scale = self.s.route_factor
                scale_note = (f"; approximated: straight links of the shortest tree joining the "
                              f"landing points, great circle x {scale} ({ROUTE_FACTOR_CITE})")
        elif stated and total > 0 and stated / total - 1.0 > self.s.length_scale_threshold:
            scale = stated / total
            scale_note = (f"; scaled x{scale:.3f} so the cable totals TeleGeography's stated "
                          f"{stated:,.0f} km (route lines {total:,.0f} km)")
            fallback("length_scaled", f"route lines {total:,.0f} km vs stated "
                          f"{stated:,.0f} km: segment lengths x{scale:.3f}")
        elif stated and total > 0 and 1.0 - stated / total > self.s.length_scale_threshold:
            fallback("length_mismatch", f"route lines {total:,.0f} km vs stated "
                          f"{stated:,.0f} km: the drawn lengths are kept")
        row = replace(row, length_scale=round(scale, 4) if scale != 1.0 else None)
        for bid, (x, y) in bus.items():
            self.out.nodes.append({
                "id": bid, "name": f"{name} branching unit {bid.rsplit(':', 1)[-1]}",
                "kind": "junction", "country": None, "lon": x, "lat": y, "tg_id": None,
                "metro": None, "transit_price_usd_per_mbps_month": None,
                "citation": f"{self.tag} {cid} route geometry: vertex where three or more route "
                            "lines meet (inferred branching unit)"})
        row = replace(row, branching_units=len(bus))
        ordered = []
        for seg in segments:
            a, b, coords = seg.a, seg.b, list(seg.coords)
            if a > b:
                a, b, coords = b, a, coords[::-1]
            ordered.append((a, b, coords, seg))
        ordered.sort(key=lambda x: (x[0], x[1], round(x[3].length_km, 3)))
        width = max(2, len(str(len(ordered))))
        rfs_text = file.rfs if isinstance(file.rfs, str) else file.rfs_year
        for i, (a, b, coords, seg) in enumerate(ordered, 1):
            lid = f"{cid}:{i:0{width}d}"
            length = seg.length_km * scale
            nominal = length < self.s.min_link_km
            length = max(length, self.s.min_link_km)
            pclass = price_class(coords[0][0], coords[-1][0])
            how = ("inferred from the route geometry (geodesic length "
                   f"{seg.length_km:,.1f} km)" if inference is not None else
                   f"great circle {seg.length_km:,.1f} km")
            cite = [f"{self.tag} {cid}: segment {a}<->{b} {how}{scale_note}"]
            if nominal:
                cite.append(f"co-located landing stations: nominal length {self.s.min_link_km} km")
            if seg.connector:
                cite.append("includes a straight connector or gap bridge added by the importer "
                            "(see import_report.md)")
            cite.append(f"capacity {cap_cite}")
            cite.append(price_citation(pclass))
            cite.append(f"RFS {rfs_text if rfs_text is not None else 'not given'} {self.tag}")
            self.out.links.append({
                "id": lid, "from_node": a, "to_node": b, "kind": "submarine", "system": name,
                "capacity_gbps": gbps, "design_capacity_gbps": design,
                "price_usd_per_mbps_month": PRICE_RATES[pclass].usd_per_mbps_month_km * length,
                "length_km": round(length, 3), "system_length_km": stated,
                "route_factor": None, "status": status,
                "rfs_year": rfs_year, "capex_usd": None, "tg_cable_id": cid,
                "citation": "; ".join(cite)})
            if inference is not None:
                geom = route_geometry(coords, self.s.simplify_deg)
                if geom is not None:
                    self.out.routes[lid] = geom
                    self.out.route_cites[lid] = (
                        f"{self.tag} {cid} route geometry (c) TeleGeography, CC BY-NC-SA 3.0; cut "
                        f"between {a} and {b}, simplified {self.s.simplify_deg} deg"
                        + ("; includes straight connector(s) added by the importer"
                           if seg.connector else ""))
        return replace(row, segments=len(ordered))

    # ---------------------------------------------------------------- countries
    def landing_nodes_and_cities(self, make_cities: bool) -> None:
        """Add the landing nodes and, with ``make_cities``, one city node per country with
        its backhaul links."""
        by_country: dict[str, list[_Landing]] = defaultdict(list)
        for landing in self.landings.values():
            if landing.country != UNKNOWN_COUNTRY:
                by_country[landing.country].append(landing)
        hubs: dict[str, tuple[str, _Landing, str]] = {}
        if make_cities:
            for code, members in sorted(by_country.items()):
                candidates = [m for m in members if not m.tbd] or members
                override = [m for lid in HUB_LANDING_OVERRIDES.get(code, ())
                            for m in candidates if m.id == lid]
                if override:
                    hubs[code] = (f"city:{code}", override[0],
                                  "chosen by hand (HUB_LANDING_OVERRIDES in "
                                  "cablesim.io.telegeography: most users live far from the "
                                  "best-connected landing points)")
                    continue
                pts = np.asarray([(m.lon, m.lat) for m in candidates])
                centre = _centroid([(m.lon, m.lat) for m in candidates])
                best = min(candidates, key=partial(_hub_rank, pts=pts, centre=centre))
                hubs[code] = (f"city:{code}", best,
                              f"the country's landing point with the most cable systems "
                              f"({len(best.systems)}; ties: most landing points within 500 km)")
        for landing in self.landings.values():
            hub = hubs.get(landing.country)
            notes = [f"{self.tag} landing point {landing.id}, position from {landing.source}"]
            if landing.country == UNKNOWN_COUNTRY:
                notes.append(f"country name {landing.country_text!r} not recognised: code "
                             f"{UNKNOWN_COUNTRY}")
            elif landing.country in ("HKG", "MAC") and landing.country_text == "China":
                notes.append(f"country {landing.country} by location (TeleGeography writes "
                             "China)")
            if landing.tbd:
                notes.append("t.b.d.: TeleGeography's placeholder for a landing not yet fixed")
            self.out.nodes.append({
                "id": landing.id, "name": landing.name, "kind": "landing",
                "country": landing.country, "lon": landing.lon, "lat": landing.lat,
                "tg_id": landing.id, "metro": hub[0] if hub else None,
                "transit_price_usd_per_mbps_month": None, "citation": "; ".join(notes)})
        for code, (city, best, why) in sorted(hubs.items()):
            members = by_country[code]
            text = best.country_text if best.country_text and best.country_text != "China" \
                else {"HKG": "Hong Kong", "MAC": "Macao"}.get(code, best.country_text or code)
            self.out.nodes.append({
                "id": city, "name": f"{text} (country node)", "kind": "city", "country": code,
                "lon": best.lon, "lat": best.lat, "tg_id": None, "metro": None,
                "transit_price_usd_per_mbps_month": None,
                "citation": (f"estimate: one city node per country, standing for its users and "
                             f"domestic network, placed at {best.name} ({best.id}), {why}")})
            for landing in sorted(members, key=lambda m: m.id):
                gc = path_length_km([(landing.lon, landing.lat), (best.lon, best.lat)])
                length = max(gc * self.s.route_factor, self.s.backhaul_min_km)
                systems = landing.systems
                capacity = sum(v[0] for v in systems.values()) or CAPACITY_BY_RFS[0][1]
                existing = any(v[1] == "existing" for v in systems.values())
                years = [v[2] for v in systems.values() if v[2] is not None]
                cite = (f"estimate: backhaul from {landing.id} to the country node {city}: great "
                        f"circle {gc:,.1f} km x {self.s.route_factor} ({ROUTE_FACTOR_CITE}), at "
                        f"least {self.s.backhaul_min_km:g} km; capacity the sum of the "
                        f"{len(systems)} cable system(s) landing there (backhaul assumed "
                        f"non-binding)")
                if not systems:
                    cite = cite.replace("capacity the sum of the 0 cable system(s) landing "
                                        "there (backhaul assumed non-binding)",
                                        f"capacity {CAPACITY_BY_RFS[0][1]:g} Gbps (no cable "
                                        "system with links lands there; nominal)")
                if gc > self.s.long_backhaul_km:
                    cite += ("; a stand-in for the national backbone: the straight line may "
                             "cross the sea where the country is not contiguous")
                    self.found.long_backhaul.append(LongBackhaul(f"bh:{landing.id}", code,
                                                                 round(gc, 1)))
                cite += "; " + price_citation("terrestrial")
                self.out.links.append({
                    "id": f"bh:{landing.id}", "from_node": landing.id, "to_node": city,
                    "kind": "metro" if length <= self.s.metro_max_km else "terrestrial",
                    "system": f"Domestic backhaul {text}", "capacity_gbps": capacity,
                    "design_capacity_gbps": None,
                    "price_usd_per_mbps_month":
                        PRICE_RATES["terrestrial"].usd_per_mbps_month_km * length,
                    "length_km": round(length, 3), "route_factor": self.s.route_factor,
                    "status": "existing" if existing or not systems else "planned",
                    "rfs_year": None if existing or not years else min(years),
                    "capex_usd": None, "tg_cable_id": None, "citation": cite})



def _hub_rank(m: _Landing, *, pts: np.ndarray, centre: Point) -> tuple[Any, ...]:
    """Sort key of a country node candidate: most cables in service, most cables, most
    landing points of the country within 500 km, nearest the centroid, id."""
    near = int(np.sum(planar_deg_many((m.lon, m.lat), pts) * KM_PER_DEG <= 500.0))
    return (-sum(1 for v in m.systems.values() if v[1] == "existing"),
            -len(m.systems), -near, planar_deg((m.lon, m.lat), centre), m.id)


def _centroid(points: Sequence[Point]) -> Point:
    xyz = np.zeros(3)
    for lon, lat in points:
        lo, la = math.radians(lon), math.radians(lat)
        xyz += (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))
    x, y, z = xyz
    return math.degrees(math.atan2(y, x)), math.degrees(math.atan2(z, math.hypot(x, y)))


_NODE_ORDER = ["id", "name", "kind", "country", "lon", "lat", "tg_id", "metro",
               "transit_price_usd_per_mbps_month", "citation"]
_LINK_ORDER = ["id", "from_node", "to_node", "kind", "system", "capacity_gbps",
               "design_capacity_gbps", "price_usd_per_mbps_month", "length_km",
               "system_length_km", "route_factor", "status", "rfs_year", "capex_usd",
               "tg_cable_id", "citation"]


def read_telegeography(source: str | os.PathLike[str], *, snapshot_label: str | None = None,
                       capacity_csv: str | os.PathLike[str] | None = None,
                       settings: ImportSettings | None = None,
                       cities: bool = True) -> TelegeographyImport:
    """Read a TeleGeography data folder (either layout) into a validated topology.

    Parameters
    ----------
    source : path-like
        Folder holding ``cable/cable-geo.json``, ``cable/<slug>.json`` and
        ``landing-point/landing-point-geo.json``.
    snapshot_label : str, optional
        Names the snapshot in citations (``[TeleGeography <label>]``); default the folder
        name. Its first four-digit year (else the folder name's) is the snapshot year: in
        the v2 layout, which has no ``is_planned``, cables with a later RFS are ``planned``.
    capacity_csv : path-like, optional
        Design capacities (``system, design_capacity_gbps, citation``), see
        :func:`load_capacity_csv`; other cables get the default of their RFS era.
    settings : ImportSettings, optional
        Tolerances and defaults.
    cities : bool
        Add one ``city`` node per country with backhaul links from its landing points
        (needed for demand and exchange policies).

    Returns
    -------
    TelegeographyImport

    Raises
    ------
    ImportFormatError
        When a file is missing or malformed, listing every problem with its file,
        feature or landing point (number and id) and field.
    """
    settings = settings or ImportSettings()
    started = time.perf_counter()
    folder = Path(source)
    data = read_folder(folder)
    label = snapshot_label or folder.resolve().name
    year = _snapshot_year(label, folder.resolve().name)
    read_s = time.perf_counter() - started
    geo, files = data.geo_cables, data.files
    all_ids = sorted(set(geo) | set(files))
    capacities: dict[str, tuple[float, str]] = {}
    if capacity_csv is not None:

        def display_name(cid: str) -> str:
            file, cable = files.get(cid), geo.get(cid)
            if file is not None and file.name:
                return file.name
            if cable is not None and cable.name:
                return cable.name
            return cid

        capacities = load_capacity_csv(capacity_csv, {cid: display_name(cid) for cid in all_ids})
    builder = _Builder(label, year, settings, capacities)
    builder.found.unparseable.extend(data.landing_geo_stats.unparseable)
    t = time.perf_counter()
    for cid in all_ids:
        builder.cable(cid, files.get(cid), geo.get(cid), data.geo_landings)
    infer_s = time.perf_counter() - t
    builder.landing_nodes_and_cities(cities)
    nodes = pd.DataFrame(builder.out.nodes, columns=_NODE_ORDER)
    links = pd.DataFrame(builder.out.links, columns=_LINK_ORDER)
    nodes = nodes.sort_values("id", kind="stable").reset_index(drop=True)
    links = links.sort_values("id", kind="stable").reset_index(drop=True)
    links["rfs_year"] = links["rfs_year"].astype("Int64")
    t = time.perf_counter()
    network = Network.from_tables(nodes, links, builder.out.routes, name=folder.resolve().name,
                                  route_citations=builder.out.route_cites)
    validate_s = time.perf_counter() - t
    report = _report(data, builder, network, nodes, label=label, year=year, settings=settings,
                     timings=(read_s, infer_s, validate_s, time.perf_counter() - started))
    return TelegeographyImport(network, report.to_dict(), nodes, links, builder.out.routes,
                               builder.out.route_cites, report)


def _report(data: FolderData, builder: _Builder, network: Network, nodes: pd.DataFrame, *,
            label: str, year: int | None, settings: ImportSettings,
            timings: tuple[float, float, float, float]) -> ImportReport:
    """The import report of a finished build."""
    files = data.files
    summary = network.summary()
    found = builder.found
    ignored: Counter[str] = Counter(k for f in files.values() for k in f.extra)
    read_s, infer_s, validate_s, total_s = timings
    return ImportReport(
        cablesim_version=__version__,
        source=str(data.folder),
        snapshot=label,
        snapshot_year=year,
        layout="+".join(data.layouts) or "unknown",
        citation_tag=builder.tag,
        files=SourceFiles(
            cable_geo=str(data.cable_geo_path), landing_point_geo=str(data.landing_geo_path),
            cable_files=len(files), index_files_skipped=data.index_files,
            geometry_features=data.cable_geo_stats.features,
            geometry_features_merged_into_one_cable=data.cable_geo_stats.merged,
            landing_point_features=data.landing_geo_stats.features,
            landing_point_features_duplicate=data.landing_geo_stats.duplicates,
            landing_point_ids_duplicate=data.landing_geo_stats.duplicate_ids),
        counts=ImportCounts(
            cables=len(set(data.geo_cables) | set(files)),
            cables_in_geometry=len(data.geo_cables),
            cables_with_file=len(files),
            cables_with_links=sum(1 for c in builder.cables if c.segments > 0),
            landing_points=len(builder.landings),
            branching_units=int((nodes["kind"] == "junction").sum()),
            cities=int((nodes["kind"] == "city").sum()),
            countries=len({x.country for x in builder.landings.values()} - {UNKNOWN_COUNTRY}),
            nodes=summary["nodes"],
            links=summary["links"],
            links_by_kind=summary["links_by_kind"],
            links_by_status=summary["links_by_status"],
            components=summary["components"],
            total_km=summary["total_km"]),
        fallbacks=tuple(found.fallbacks),
        tbd_landing_points=tuple(found.tbd),
        unparseable_fields=tuple(found.unparseable),
        landing_points_without_coordinates=tuple(found.no_coords),
        duplicate_landing_entries=tuple(found.duplicates),
        unknown_countries=tuple(UnknownCountry(k, tuple(sorted(set(v))))
                                for k, v in sorted(found.unknown_country.items())),
        unused_landing_points=tuple(sorted(set(data.geo_landings) - set(builder.landings))),
        ignored_fields=dict(sorted(ignored.items())),
        capacity=dict(sorted(found.capacity_sources.items())),
        long_backhaul_links=tuple(found.long_backhaul),
        settings=settings,
        cables=tuple(builder.cables),
        timings=Timings(round(read_s, 3), round(infer_s, 3), round(validate_s, 3),
                        round(total_s, 3)))


def import_telegeography(source: str | os.PathLike[str],
                         out: str | os.PathLike[str] | None = None, *,
                         snapshot_label: str | None = None,
                         capacity_csv: str | os.PathLike[str] | None = None,
                         settings: ImportSettings | None = None,
                         cities: bool = True) -> TelegeographyImport:
    """Import a TeleGeography folder and write a topology folder.

    Writes ``nodes.csv``, ``links.csv``, ``geometry.geojson`` (the format of
    :func:`cablesim.load_topology`), ``import_report.json`` and ``import_report.md`` into
    ``out``, each atomically; with ``out=None`` nothing is written (the same as
    :func:`read_telegeography`). Other parameters as for :func:`read_telegeography`.

    Raises
    ------
    ImportFormatError
        As :func:`read_telegeography`; nothing is written then.
    """
    started = time.perf_counter()
    result = read_telegeography(source, snapshot_label=snapshot_label, capacity_csv=capacity_csv,
                                settings=settings, cities=cities)
    if out is None:
        return result
    folder = Path(out)
    save_topology(result.network, folder)
    result.report["timings_s"]["write"] = round(time.perf_counter() - started
                                                - result.report["timings_s"]["total"], 3)
    write_import_report(result.report, folder)
    return result

