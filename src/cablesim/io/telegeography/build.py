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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from cablesim._errors import ImportFormatError, Problem
from cablesim._version import __version__
from cablesim.geo import path_length_km
from cablesim.io.telegeography.capacity import load_capacity_csv
from cablesim.io.telegeography.reader import (
    CableFile,
    CableLanding,
    GeoCable,
    GeoLanding,
    parse_bool,
    parse_length_km,
    parse_rfs_year,
    read_cable_file,
    read_cable_geo,
    read_landing_geo,
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
from cablesim.io.telegeography.report import write_import_report
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
        The import report (JSON-ready): what was read, every fallback, t.b.d. landing
        point, unparseable field and unknown country, and one row per cable.
    nodes, links : DataFrame
        The tables as written to ``nodes.csv`` and ``links.csv``.
    routes : dict of str to geometry
        Route geometry per link id (written to ``geometry.geojson``).
    route_citations : dict of str to str
        Citation of each route.
    """

    network: Network
    report: dict[str, Any]
    nodes: pd.DataFrame
    links: pd.DataFrame
    routes: dict[str, BaseGeometry]
    route_citations: dict[str, str]


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


class _Builder:
    """Turns the parsed files into node and link tables plus the report."""

    def __init__(self, label: str, year: int | None, settings: ImportSettings,
                 capacities: Mapping[str, tuple[float, str]]) -> None:
        self.label = label
        self.tag = f"[TeleGeography {label}]"
        self.year = year
        self.s = settings
        self.capacities = capacities
        self.landings: dict[str, _Landing] = {}
        self.nodes: list[dict[str, Any]] = []
        self.links: list[dict[str, Any]] = []
        self.routes: dict[str, BaseGeometry] = {}
        self.route_cites: dict[str, str] = {}
        self.cables: list[dict[str, Any]] = []
        self.fallbacks: list[dict[str, str]] = []
        self.unparseable: list[dict[str, Any]] = []
        self.tbd: list[dict[str, Any]] = []
        self.no_coords: list[dict[str, Any]] = []
        self.duplicates: list[dict[str, Any]] = []
        self.unknown_country: dict[str, list[str]] = defaultdict(list)
        self.capacity_sources: Counter[str] = Counter()

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
        where = {"cable": cable.id, "file": cable.file, "landing_point": entry.index,
                 "id": entry.id}
        if lon is None or lat is None:
            self.no_coords.append({**where, "name": entry.name or (point.name if point else None),
                                   "why": "no position in landing-point-geo.json and no latlon "
                                          "in the cable file"})
            return None
        name = entry.name or (point.name if point else None) or entry.id
        tbd_flag = entry.is_tbd if entry.is_tbd is not None else (point.is_tbd if point else None)
        if entry.is_tbd is None and entry.is_tbd_raw is not None:
            self.unparseable.append({"file": cable.file, "cable": cable.id,
                                     "field": f"landing_points[{entry.index}].is_tbd",
                                     "value": short_repr(entry.is_tbd_raw),
                                     "reason": "unparseable"})
        tbd = bool(tbd_flag) or name.lower().startswith("t.b.d")
        if tbd:
            self.tbd.append({**where, "name": name})
        known = self.landings.get(entry.id)
        if known is not None:
            return known
        code, text = country_iso3(name, entry.country, lon, lat)
        if code is None:
            self.unknown_country[text or "(none)"].append(entry.id)
            code = UNKNOWN_COUNTRY
        landing = _Landing(entry.id, name, float(lon), float(lat), code, text, source, tbd)
        self.landings[entry.id] = landing
        return landing

    # ---------------------------------------------------------------- one cable
    def cable(self, cid: str, file: CableFile | None, geo: GeoCable | None,
              geo_landings: Mapping[str, GeoLanding]) -> None:
        name = (file.name if file else None) or (geo.name if geo else None) or cid
        row: dict[str, Any] = {
            "id": cid, "name": name, "file": file.file if file else None,
            "geometry_features": geo.features if geo else [],
            "outcome": "", "reason": "", "status": None, "rfs": None, "rfs_year": None,
            "stated_km": None, "route_km": None, "length_scale": None,
            "landing_points_listed": len(file.landings) if file else 0,
            "landing_points_used": 0, "tbd_landing_points": 0, "segments": 0,
            "branching_units": 0, "capacity_gbps": None, "capacity_source": None,
            "fallbacks": [],
        }
        self.cables.append(row)
        if file is None:
            row["outcome"], row["reason"] = "no_links", (
                "no per-cable file: its landing points are unknown (geometry only)")
            return
        stated, how = parse_length_km(file.length)
        if how in ("n.a.", "unparseable"):
            self.unparseable.append({"file": file.file, "cable": cid, "field": "length",
                                     "value": short_repr(file.length), "reason": how})
        rfs_year, how_y = (None, "absent")
        if file.rfs_year is not None:
            rfs_year, how_y = parse_rfs_year(file.rfs_year)
            if how_y != "ok":
                self.unparseable.append({"file": file.file, "cable": cid, "field": "rfs_year",
                                         "value": short_repr(file.rfs_year), "reason": how_y})
        if rfs_year is None:
            rfs_year, how_r = parse_rfs_year(file.rfs)
            if how_r in ("n.a.", "unparseable"):
                self.unparseable.append({"file": file.file, "cable": cid, "field": "rfs",
                                         "value": short_repr(file.rfs), "reason": how_r})
        planned, readable = parse_bool(file.is_planned)  # same true/false grammar
        if not readable:
            self.unparseable.append({"file": file.file, "cable": cid, "field": "is_planned",
                                     "value": short_repr(file.is_planned), "reason": "unparseable"})
        if planned is True:
            status = "planned"
        elif planned is False:
            status = "existing"
        elif rfs_year is not None and self.year is not None and rfs_year > self.year:
            status = "planned"
        else:
            status = "existing"
        row.update(status=status, rfs=file.rfs if isinstance(file.rfs, str) else None,
                   rfs_year=rfs_year, stated_km=stated)
        if cid in self.capacities:
            gbps, cite = self.capacities[cid]
            cap_cite, design, cap_source = f"design {gbps:g} Gbps: {cite}", gbps, "csv"
        else:
            gbps, era, why = capacity_default(rfs_year)
            cap_cite = f"estimate: default for RFS {era} ({why}); no design figure given"
            design, cap_source = None, f"default RFS {era}"
        self.capacity_sources[cap_source] += 1
        row.update(capacity_gbps=gbps, capacity_source=cap_source)
        # landing points
        used: list[_Landing] = []
        seen: set[str] = set()
        for entry in file.landings:
            if entry.id in seen:
                self.duplicates.append({"cable": cid, "file": file.file,
                                        "landing_point": entry.index, "id": entry.id})
                continue
            seen.add(entry.id)
            landing = self.landing(file, entry, geo_landings)
            if landing is None:
                continue
            used.append(landing)
            row["tbd_landing_points"] += int(landing.tbd)
        row["landing_points_used"] = len(used)
        for landing in used:
            landing.systems[cid] = (gbps, status, rfs_year)
        if len(used) < 2:
            row["outcome"] = "no_links"
            row["reason"] = (f"{len(used)} landing point{'s' if len(used) != 1 else ''} with a "
                             "position: a link needs two")
            return
        points = [(x.id, x.lon, x.lat) for x in used]
        inference = None
        if geo is not None and geo.lines:
            inference = infer_segments(geo.lines, points, self.s, f"bu:{cid}:")
            snapped = len(used) - sum(1 for k, _ in inference.fallbacks
                                      if k in ("landing_connector",))
            if not inference.segments:
                self.fallback(row, "geometry_unusable", "the route lines give no segment "
                              "between landing points: approximated")
                inference = None
            elif snapped == 0:
                self.fallback(row, "geometry_unmatched", "no landing point lies within "
                              f"{self.s.snap_km:.1f} km of the route lines: approximated")
                inference = None
        elif geo is None:
            self.fallback(row, "no_geometry", "no feature in cable-geo.json: approximated")
        else:
            self.fallback(row, "no_geometry", "its cable-geo.json feature has no route lines: "
                          "approximated")
        if inference is not None:
            for kind, detail in inference.fallbacks:
                self.fallback(row, kind, detail)
            segments = inference.segments
            bus = inference.branching_units
            row["outcome"] = "inferred"
            row["reason"] = "; ".join(inference.notes)
        else:
            segments = approximate_segments(points)
            bus = {}
            row["outcome"] = "approximated"
            row["reason"] = "; ".join(f["detail"] for f in self.fallbacks[-1:])
        total = sum(s.length_km for s in segments)
        row["route_km"] = round(total, 1)
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
            self.fallback(row, "length_scaled", f"route lines {total:,.0f} km vs stated "
                          f"{stated:,.0f} km: segment lengths x{scale:.3f}")
        elif stated and total > 0 and 1.0 - stated / total > self.s.length_scale_threshold:
            self.fallback(row, "length_mismatch", f"route lines {total:,.0f} km vs stated "
                          f"{stated:,.0f} km: the drawn lengths are kept")
        row["length_scale"] = round(scale, 4) if scale != 1.0 else None
        for bid, (x, y) in bus.items():
            self.nodes.append({
                "id": bid, "name": f"{name} branching unit {bid.rsplit(':', 1)[-1]}",
                "kind": "junction", "country": None, "lon": x, "lat": y, "tg_id": None,
                "metro": None, "transit_price_usd_per_mbps_month": None,
                "citation": f"{self.tag} {cid} route geometry: vertex where three or more route "
                            "lines meet (inferred branching unit)"})
        row["branching_units"] = len(bus)
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
            self.links.append({
                "id": lid, "from_node": a, "to_node": b, "kind": "submarine", "system": name,
                "capacity_gbps": gbps, "design_capacity_gbps": design,
                "price_usd_per_mbps_month": PRICE_RATES[pclass].usd_per_mbps_month_km * length,
                "length_km": round(length, 3), "route_factor": None, "status": status,
                "rfs_year": rfs_year, "capex_usd": None, "tg_cable_id": cid,
                "citation": "; ".join(cite)})
            if inference is not None:
                geom = route_geometry(coords, self.s.simplify_deg)
                if geom is not None:
                    self.routes[lid] = geom
                    self.route_cites[lid] = (
                        f"{self.tag} {cid} route geometry (c) TeleGeography, CC BY-NC-SA 3.0; cut "
                        f"between {a} and {b}, simplified {self.s.simplify_deg} deg"
                        + ("; includes straight connector(s) added by the importer"
                           if seg.connector else ""))
        row["segments"] = len(ordered)

    def fallback(self, row: dict[str, Any], kind: str, detail: str) -> None:
        self.fallbacks.append({"cable": row["id"], "file": row["file"] or "", "kind": kind,
                               "detail": detail})
        row["fallbacks"].append(kind)

    # ---------------------------------------------------------------- countries
    def landing_nodes_and_cities(self, make_cities: bool) -> list[dict[str, Any]]:
        by_country: dict[str, list[_Landing]] = defaultdict(list)
        for landing in self.landings.values():
            if landing.country != UNKNOWN_COUNTRY:
                by_country[landing.country].append(landing)
        long_links = []
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
            self.nodes.append({
                "id": landing.id, "name": landing.name, "kind": "landing",
                "country": landing.country, "lon": landing.lon, "lat": landing.lat,
                "tg_id": landing.id, "metro": hub[0] if hub else None,
                "transit_price_usd_per_mbps_month": None, "citation": "; ".join(notes)})
        for code, (city, best, why) in sorted(hubs.items()):
            members = by_country[code]
            text = best.country_text if best.country_text and best.country_text != "China" \
                else {"HKG": "Hong Kong", "MAC": "Macao"}.get(code, best.country_text or code)
            self.nodes.append({
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
                    long_links.append({"link": f"bh:{landing.id}", "country": code,
                                       "great_circle_km": round(gc, 1)})
                cite += "; " + price_citation("terrestrial")
                self.links.append({
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
        return long_links



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
               "design_capacity_gbps", "price_usd_per_mbps_month", "length_km", "route_factor",
               "status", "rfs_year", "capex_usd", "tg_cable_id", "citation"]


def read_telegeography(source: str | os.PathLike[str], snapshot_label: str | None = None,
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
    if not folder.is_dir():
        raise ImportFormatError(f"TeleGeography folder {str(folder)!r} does not exist", [
            Problem(str(folder), None, None, "no such folder" if not folder.exists() else
                    "is a file; expected the folder holding cable/ and landing-point/")])
    label = snapshot_label or folder.resolve().name
    year = _snapshot_year(label, folder.resolve().name)
    problems: list[Problem] = []
    info: dict[str, Any] = {}
    cable_dir = folder / "cable"
    geo_path = cable_dir / "cable-geo.json"
    lp_path = folder / "landing-point" / "landing-point-geo.json"
    geo = read_cable_geo(geo_path, problems, info)
    geo_landings = read_landing_geo(lp_path, problems, info)
    files: dict[str, CableFile] = {}
    index_files: list[str] = []
    if cable_dir.is_dir():
        for path in sorted(cable_dir.glob("*.json")):
            if path.name == "cable-geo.json":
                continue
            parsed = read_cable_file(path, problems)
            if parsed == "index":
                index_files.append(path.name)
            elif isinstance(parsed, CableFile):
                if parsed.id in files:
                    problems.append(Problem(str(path), None, "id", f"cable id {parsed.id!r} is "
                                            f"also used by {files[parsed.id].file}"))
                else:
                    files[parsed.id] = parsed
    if problems:
        raise ImportFormatError(f"TeleGeography data in {str(folder)!r} cannot be imported",
                                problems)
    read_s = time.perf_counter() - started
    all_ids = sorted(set(geo) | set(files))
    capacities: dict[str, tuple[float, str]] = {}
    if capacity_csv is not None:
        names = {cid: (files[cid].name if cid in files and files[cid].name else
                       (geo[cid].name if cid in geo and geo[cid].name else cid))
                 for cid in all_ids}
        capacities = load_capacity_csv(capacity_csv, names)
    builder = _Builder(label, year, settings, capacities)
    builder.unparseable.extend(info.get("landing_features_unparseable", []))
    t = time.perf_counter()
    for cid in all_ids:
        builder.cable(cid, files.get(cid), geo.get(cid), geo_landings)
    infer_s = time.perf_counter() - t
    long_links = builder.landing_nodes_and_cities(cities)
    nodes = pd.DataFrame(builder.nodes, columns=_NODE_ORDER)
    links = pd.DataFrame(builder.links, columns=_LINK_ORDER)
    nodes = nodes.sort_values("id", kind="stable").reset_index(drop=True)
    links = links.sort_values("id", kind="stable").reset_index(drop=True)
    links["rfs_year"] = links["rfs_year"].astype("Int64")
    t = time.perf_counter()
    network = Network.from_tables(nodes, links, builder.routes, name=folder.resolve().name,
                                  route_citations=builder.route_cites)
    validate_s = time.perf_counter() - t
    layouts = []
    if any(e.latlon is not None for f in files.values() for e in f.landings):
        layouts.append("v2")
    if any(e.country is not None for f in files.values() for e in f.landings):
        layouts.append("current")
    used_ids = set(builder.landings)
    unused = sorted(set(geo_landings) - used_ids)
    ignored: Counter[str] = Counter(k for f in files.values() for k in f.extra)
    unparse_counts: dict[str, dict[str, int]] = defaultdict(dict)
    for item in builder.unparseable:
        key = re.sub(r"\[\d+\]", "[]", item["field"])
        unparse_counts[key][item["reason"]] = unparse_counts[key].get(item["reason"], 0) + 1
    summary = network.summary()
    report: dict[str, Any] = {
        "cablesim_version": __version__,
        "source": str(folder),
        "snapshot": label,
        "snapshot_year": year,
        "layout": "+".join(layouts) or "unknown",
        "citation_tag": builder.tag,
        "files": {
            "cable_geo": str(geo_path), "landing_point_geo": str(lp_path),
            "cable_files": len(files), "index_files_skipped": index_files,
            "geometry_features": info.get("geometry_features", 0),
            "geometry_features_merged_into_one_cable": info.get("geometry_features_merged", 0),
            "landing_point_features": info.get("landing_features", 0),
            "landing_point_features_duplicate": info.get("landing_features_duplicate_count", 0),
            "landing_point_ids_duplicate": info.get("landing_features_duplicate", []),
        },
        "counts": {
            "cables": len(all_ids),
            "cables_in_geometry": len(geo),
            "cables_with_file": len(files),
            "cables_with_links": sum(1 for c in builder.cables if c["segments"] > 0),
            "landing_points": len(builder.landings),
            "branching_units": int((nodes["kind"] == "junction").sum()),
            "cities": int((nodes["kind"] == "city").sum()),
            "countries": len({x.country for x in builder.landings.values()}
                             - {UNKNOWN_COUNTRY}),
            "nodes": summary["nodes"],
            "links": summary["links"],
            "links_by_kind": summary["links_by_kind"],
            "links_by_status": summary["links_by_status"],
            "components": summary["components"],
            "total_km": summary["total_km"],
        },
        "cables_by_outcome": dict(sorted(Counter(c["outcome"] for c in builder.cables).items())),
        "cables_by_status": dict(sorted(Counter(c["status"] or "unknown"
                                                for c in builder.cables).items())),
        "fallbacks": dict(sorted(Counter(f["kind"] for f in builder.fallbacks).items())),
        "fallback_details": builder.fallbacks,
        "tbd_landing_points": builder.tbd,
        "unparseable_fields": builder.unparseable,
        "unparseable_counts": {k: dict(sorted(v.items())) for k, v in
                               sorted(unparse_counts.items())},
        "landing_points_without_coordinates": builder.no_coords,
        "duplicate_landing_entries": builder.duplicates,
        "unknown_countries": [{"name": k, "landing_points": sorted(set(v))}
                              for k, v in sorted(builder.unknown_country.items())],
        "unused_landing_points": {"count": len(unused), "ids": unused},
        "ignored_fields": dict(sorted(ignored.items())),
        "capacity": dict(sorted(builder.capacity_sources.items())),
        "long_backhaul_links": long_links,
        "settings": {k: getattr(settings, k) for k in settings.__dataclass_fields__},
        "cables": builder.cables,
        "timings_s": {"read": round(read_s, 3), "segments": round(infer_s, 3),
                      "validate": round(validate_s, 3),
                      "total": round(time.perf_counter() - started, 3)},
    }
    return TelegeographyImport(network, report, nodes, links, builder.routes,
                               builder.route_cites)


def import_telegeography(source: str | os.PathLike[str],
                         out: str | os.PathLike[str] | None = None,
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
    result = read_telegeography(source, snapshot_label, capacity_csv, settings, cities)
    if out is None:
        return result
    folder = Path(out)
    save_topology(result.network, folder)
    result.report["timings_s"]["write"] = round(time.perf_counter() - started
                                                - result.report["timings_s"]["total"], 3)
    write_import_report(result.report, folder)
    return result

