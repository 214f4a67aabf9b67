"""Reading a TeleGeography folder's JSON and GeoJSON files (both API layouts).

Every structural problem is appended to a list of located :class:`cablesim.Problem`;
free-text values are parsed by :func:`parse_length_km`, :func:`parse_rfs_year` and
:func:`parse_bool`, whose failures are counted in the import report, never fatal.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cablesim._errors import ImportFormatError, Problem
from cablesim.io.telegeography.report import UnparseableField

__all__ = [
    "parse_length_km",
    "parse_rfs_year",
    "parse_bool",
    "short_repr",
    "GeoCable",
    "GeoLanding",
    "CableLanding",
    "CableFile",
    "read_cable_geo",
    "read_landing_geo",
    "read_cable_file",
    "CableGeoStats",
    "LandingGeoStats",
    "FolderData",
    "read_folder",
]

# ============================================================================== parsing
_LENGTH = re.compile(r"^\s*(?:approx\.?|about|~|c\.)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(km|kms|"
                     r"kilometers|kilometres)?\.?\s*$", re.IGNORECASE)
_NOT_AVAILABLE = {"n.a.", "n.a", "na", "n/a", "", "-", "none", "unknown", "t.b.d.", "tbd"}
_RFS_YEAR = re.compile(r"^\s*(?:(?:Q[1-4]|[A-Za-z]+)\s+)?((?:18|19|20|21)\d{2})\b")


def parse_length_km(value: object) -> tuple[float | None, str]:
    """Read a TeleGeography ``length`` value.

    Returns
    -------
    (float or None, str)
        Kilometres and how it went: ``"ok"``, ``"absent"`` (missing or null), ``"n.a."``
        (a not-available marker such as ``"n.a."``) or ``"unparseable"``.

    Examples
    --------
    >>> parse_length_km("1,055 km")
    (1055.0, 'ok')
    >>> parse_length_km("n.a.")
    (None, 'n.a.')
    """
    if value is None:
        return None, "absent"
    if isinstance(value, bool):
        return None, "unparseable"
    if isinstance(value, (int, float)):
        number = float(value)
        return (number, "ok") if math.isfinite(number) and number > 0 else (None, "unparseable")
    text = str(value).strip()
    if text.lower() in _NOT_AVAILABLE:
        return None, "n.a."
    match = _LENGTH.match(text)
    if not match:
        return None, "unparseable"
    number = float(match.group(1).replace(",", ""))
    return (number, "ok") if number > 0 else (None, "unparseable")


def parse_rfs_year(value: object) -> tuple[int | None, str]:
    """Read a TeleGeography ``rfs`` (ready for service) value such as ``"2008 August"``,
    ``"2021 Q4"`` or ``"2019"``.

    Returns
    -------
    (int or None, str)
        The year and ``"ok"``, ``"absent"``, ``"n.a."`` or ``"unparseable"``.
    """
    if value is None:
        return None, "absent"
    if isinstance(value, bool):
        return None, "unparseable"
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isfinite(number) and number == int(number) and 1850 <= number <= 2100:
            return int(number), "ok"
        return None, "unparseable"
    text = str(value).strip()
    if text.lower() in _NOT_AVAILABLE:
        return None, "n.a."
    match = _RFS_YEAR.match(text)
    if not match:
        return None, "unparseable"
    return int(match.group(1)), "ok"


def parse_bool(value: object) -> tuple[bool | None, bool]:
    """Read an ``is_tbd`` value; returns (value or None, parseable)."""
    if value is None:
        return None, True
    if isinstance(value, bool):
        return value, True
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true", True
    return None, False


# ============================================================================== JSON input
@dataclass
class GeoCable:
    """A cable's route lines from ``cable-geo.json`` (features of one id merged)."""

    id: str
    name: str | None
    lines: list[list[tuple[float, float]]]
    features: list[int]
    null_geometry: bool = False


@dataclass
class GeoLanding:
    """A landing point from ``landing-point-geo.json``."""

    id: str
    name: str | None
    lon: float | None
    lat: float | None
    is_tbd: bool | None
    feature: int


@dataclass
class CableLanding:
    """One entry of a cable file's ``landing_points``."""

    index: int
    id: str
    name: str | None
    country: str | None
    latlon: tuple[float, float] | None
    is_tbd: bool | None
    is_tbd_raw: object = None


@dataclass
class CableFile:
    """A per-cable JSON file."""

    id: str
    file: str
    name: str | None
    landings: list[CableLanding]
    length: object
    rfs: object
    rfs_year: object
    is_planned: object
    extra: list[str]


_CRS84 = {"urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:epsg::4326", "epsg:4326",
          "crs84", "ogc:crs84", "wgs84"}
_CABLE_KNOWN = {"id", "name", "landing_points", "length", "rfs", "rfs_year", "is_planned"}
_LANDING_KNOWN = {"id", "name", "latlon", "country", "is_tbd"}


def _read_json(path: Path, problems: list[Problem]) -> tuple[bool, Any]:
    """Parse a JSON file; on failure append a problem and return (False, None)."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(name, None, None, "file is missing"))
        return False, None
    except IsADirectoryError:
        problems.append(Problem(name, None, None, "is a directory, expected a JSON file"))
        return False, None
    except OSError as exc:
        problems.append(Problem(name, None, None, f"cannot be read: {exc.strerror}"))
        return False, None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, None, "is not UTF-8 text", "save the file as UTF-8"))
        return False, None
    if not text.strip():
        problems.append(Problem(name, None, None, "file is empty"))
        return False, None
    try:
        return True, json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) - 1
        problems.append(Problem(
            name, exc.lineno, None,
            f"not valid JSON: {exc.msg} (column {exc.colno})",
            "the file ends early: it looks truncated, download it again" if truncated
            else None))
        return False, None


def _check_crs(doc: Mapping[str, Any], name: str, problems: list[Problem]) -> None:
    crs = doc.get("crs")
    if crs is None:
        return
    label = None
    if isinstance(crs, Mapping):
        props = crs.get("properties")
        if isinstance(props, Mapping) and isinstance(props.get("name"), str):
            label = props["name"]
    if label is None:
        problems.append(Problem(name, None, "crs", "is not a GeoJSON named crs object",
                                "expected {\"type\": \"name\", \"properties\": {\"name\": "
                                "\"urn:ogc:def:crs:OGC:1.3:CRS84\"}} or no crs member"))
    elif label.strip().lower() not in _CRS84:
        problems.append(Problem(name, None, "crs.properties.name",
                                f"unsupported coordinate reference system {label!r}",
                                "only WGS84 longitude/latitude (CRS84, EPSG:4326) is read"))


def _position(value: object) -> tuple[float, float] | str:
    """A [lon, lat] position, or why it is not one."""
    if (not isinstance(value, list) or len(value) < 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                       for v in value[:2])):
        return f"position {short_repr(value)} is not [lon, lat]"
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return f"position {short_repr(value)} is not finite"
    if not (-180.0 - 1e-6 <= lon <= 180.0 + 1e-6 and -90.0 - 1e-6 <= lat <= 90.0 + 1e-6):
        return f"position {short_repr(value)} is outside lon [-180, 180], lat [-90, 90]"
    return min(max(lon, -180.0), 180.0), min(max(lat, -90.0), 90.0)


def short_repr(value: object, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _lines_of(geometry: object) -> list[list[tuple[float, float]]] | None | str:
    """Route lines of a (Multi)LineString geometry; None for a null geometry; or a message."""
    if geometry is None:
        return None
    if not isinstance(geometry, Mapping):
        return "is not a GeoJSON geometry object"
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    parts: object
    if kind == "LineString":
        parts = [coords]
    elif kind == "MultiLineString":
        parts = coords
    else:
        return f"type {kind!r} is not LineString or MultiLineString"
    if not isinstance(parts, list):
        return "coordinates is not a list of lines"
    lines = []
    for i, part in enumerate(parts):
        if not isinstance(part, list):
            return f"line {i + 1} is not a list of positions"
        points = []
        for value in part:
            pos = _position(value)
            if isinstance(pos, str):
                return f"line {i + 1}: {pos}"
            points.append(pos)
        lines.append(points)
    return lines


def _feature_id(props: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    for key in keys:
        value = props.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _feature_collection(path: Path, problems: list[Problem]) -> list[Any] | None:
    """The ``features`` of a GeoJSON FeatureCollection file (its ``crs`` checked), or None
    with a problem appended when the file cannot be read or is not a FeatureCollection."""
    ok, doc = _read_json(path, problems)
    if not ok:
        return None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("features"), list):
        problems.append(Problem(str(path), None, "features",
                                "expected a GeoJSON FeatureCollection with a 'features' list"))
        return None
    _check_crs(doc, str(path), problems)
    return doc["features"]


def _identified_features(features: list[Any], name: str, problems: list[Problem],
                         id_keys: tuple[str, str], what: str, holds: str
                         ) -> Iterator[tuple[int, Mapping[str, Any], Mapping[str, Any], str,
                                             Callable[..., None]]]:
    """The features that are objects with properties naming an id (the first of ``id_keys``
    present), as ``(position, feature, properties, id, report)``; the others are reported
    in ``problems`` (file ``name``, row = the feature's position from 1). ``what`` names the
    thing a feature describes, ``holds`` what its properties must hold."""
    for pos, feature in enumerate(features):
        def report(fieldname: str | None, message: str, hint: str | None = None,
                   row: int = pos + 1) -> None:
            problems.append(Problem(name, row, fieldname, message, hint, "feature"))

        if not isinstance(feature, Mapping):
            report(None, "is not a GeoJSON Feature object")
            continue
        props = feature.get("properties")
        if not isinstance(props, Mapping):
            report("properties", f"missing or not an object (it must hold {holds})")
            continue
        fid = _feature_id(props, id_keys)
        if fid is None:
            report("properties.id", f"missing: each feature must name its {what} "
                   f"(TeleGeography slug in {id_keys[0]!r} or {id_keys[1]!r})")
            continue
        yield pos, feature, props, fid, report


@dataclass(frozen=True)
class CableGeoStats:
    """Features of ``cable-geo.json``: all of them, and those merged into an earlier
    feature of the same cable."""

    features: int = 0
    merged: int = 0


@dataclass(frozen=True)
class LandingGeoStats:
    """Features of ``landing-point-geo.json``.

    Attributes
    ----------
    features : int
        All features.
    duplicate_ids : tuple of str
        Ids given by more than one feature (sorted; the first feature is used).
    duplicates : int
        Features repeating an earlier id.
    unparseable : tuple of UnparseableField
        ``is_tbd`` values that are not true/false.
    """

    features: int = 0
    duplicate_ids: tuple[str, ...] = ()
    duplicates: int = 0
    unparseable: tuple[UnparseableField, ...] = ()


def read_cable_geo(path: Path, problems: list[Problem]
                   ) -> tuple[dict[str, GeoCable], CableGeoStats]:
    """The cables of ``cable-geo.json`` by id (features of one id merged), and counts;
    problems are appended to ``problems``."""
    name = str(path)
    cables: dict[str, GeoCable] = {}
    features = _feature_collection(path, problems)
    if features is None:
        return cables, CableGeoStats()
    merged = 0
    for pos, feature, props, cid, report in _identified_features(
            features, name, problems, ("id", "slug"), "cable", "the cable's id"):
        lines = _lines_of(feature.get("geometry"))
        if isinstance(lines, str):
            report("geometry", f"cable {cid!r}: {lines}")
            continue
        label = props.get("name") if isinstance(props.get("name"), str) else None
        if cid in cables:
            merged += 1
            cables[cid].features.append(pos + 1)
            cables[cid].lines.extend(lines or [])
            cables[cid].name = cables[cid].name or label
        else:
            cables[cid] = GeoCable(cid, label, list(lines or []), [pos + 1], lines is None)
    return cables, CableGeoStats(len(features), merged)


def read_landing_geo(path: Path, problems: list[Problem]
                     ) -> tuple[dict[str, GeoLanding], LandingGeoStats]:
    """The landing points of ``landing-point-geo.json`` by id (the first feature of an id),
    and counts; problems are appended to ``problems``."""
    name = str(path)
    points: dict[str, GeoLanding] = {}
    features = _feature_collection(path, problems)
    if features is None:
        return points, LandingGeoStats()
    duplicates: list[str] = []
    bad_tbd: list[UnparseableField] = []
    for pos, feature, props, lid, report in _identified_features(
            features, name, problems, ("slug", "id"), "landing point",
            "the landing point id"):
        geometry = feature.get("geometry")
        lon = lat = None
        if geometry is not None:
            if not isinstance(geometry, Mapping) or geometry.get("type") != "Point":
                report("geometry", f"landing point {lid!r}: expected a Point geometry")
                continue
            pos_ = _position(geometry.get("coordinates"))
            if isinstance(pos_, str):
                report("geometry.coordinates", f"landing point {lid!r}: {pos_}")
                continue
            lon, lat = pos_
        tbd, readable = parse_bool(props.get("is_tbd"))
        if not readable:
            bad_tbd.append(UnparseableField(name, None, f"features[{pos + 1}].properties.is_tbd",
                                            short_repr(props.get("is_tbd")), "unparseable"))
        label = props.get("name") if isinstance(props.get("name"), str) else None
        if lid in points:
            duplicates.append(lid)
            continue
        points[lid] = GeoLanding(lid, label, lon, lat, tbd, pos + 1)
    return points, LandingGeoStats(len(features), tuple(sorted(set(duplicates))),
                                   len(duplicates), tuple(bad_tbd))


def read_cable_file(path: Path, problems: list[Problem]) -> CableFile | None | str:
    """Read one per-cable file; ``"index"`` for a JSON list (an index file such as all.json)."""
    name = str(path)
    ok, doc = _read_json(path, problems)
    if not ok:
        return None
    if isinstance(doc, list):
        return "index"
    if not isinstance(doc, Mapping):
        problems.append(Problem(name, None, None, "expected a JSON object describing one cable"))
        return None
    found: list[Problem] = []
    cid = doc.get("id", path.stem)
    if not isinstance(cid, str) or not cid.strip():
        found.append(Problem(name, None, "id", f"must be the cable's slug (text), got "
                             f"{short_repr(cid)}"))
        cid = path.stem
    cid = cid.strip()
    label = doc.get("name")
    if label is not None and not isinstance(label, str):
        found.append(Problem(name, None, "name", f"cable {cid!r}: must be text, got "
                             f"{short_repr(label)}"))
        label = None
    raw_landings = doc.get("landing_points")
    landings: list[CableLanding] = []
    if "landing_points" not in doc:
        found.append(Problem(name, None, "landing_points",
                             f"cable {cid!r}: required member is missing"))
    elif not isinstance(raw_landings, list):
        found.append(Problem(name, None, "landing_points",
                             f"cable {cid!r}: must be a list, got {short_repr(raw_landings)}"))
    else:
        for i, item in enumerate(raw_landings):
            def report(fieldname: str | None, message: str, hint: str | None = None,
                       row: int = i + 1) -> None:
                found.append(Problem(name, row, fieldname, message, hint, "landing point"))

            if not isinstance(item, Mapping):
                report(None, f"cable {cid!r}: is not an object")
                continue
            lid = item.get("id")
            if not isinstance(lid, str) or not lid.strip():
                report("id", f"cable {cid!r}: missing landing point id (TeleGeography slug)")
                continue
            lid = lid.strip()
            lname = item.get("name")
            if lname is not None and not isinstance(lname, str):
                report("name", f"landing point {lid!r}: must be text, got {short_repr(lname)}")
                continue
            country = item.get("country")
            if country is not None and not isinstance(country, str):
                report("country", f"landing point {lid!r}: must be text, got "
                       f"{short_repr(country)}")
                continue
            latlon = None
            raw = item.get("latlon")
            if raw is not None and not (isinstance(raw, str) and not raw.strip()):
                parsed = _latlon(raw)
                if isinstance(parsed, str):
                    report("latlon", f"landing point {lid!r}: {parsed}",
                           "expected \"lat,lon\" in degrees, e.g. \"1.3386,103.6462\"")
                    continue
                latlon = parsed
            tbd, _ = parse_bool(item.get("is_tbd"))
            landings.append(CableLanding(i + 1, lid, lname, country, latlon, tbd,
                                          item.get("is_tbd")))
    for key, kinds in (("rfs_year", (int, float, str, type(None))),
                       ("length", (int, float, str, type(None))),
                       ("rfs", (int, float, str, type(None))),
                       ("is_planned", (bool, str, type(None)))):
        value = doc.get(key)
        if not isinstance(value, kinds) or (key != "is_planned" and isinstance(value, bool)):
            found.append(Problem(name, None, key, f"cable {cid!r}: wrong type, got "
                                 f"{short_repr(value)}"))
    problems.extend(found)
    if found:
        return None
    assert isinstance(raw_landings, list)  # anything else was reported above
    extra = sorted(str(k) for k in doc if k not in _CABLE_KNOWN)
    extra += sorted({f"landing_points[].{k}" for item in raw_landings if isinstance(item, Mapping)
                     for k in item if k not in _LANDING_KNOWN})
    return CableFile(cid, name, label, landings, doc.get("length"), doc.get("rfs"),
                      doc.get("rfs_year"), doc.get("is_planned"), extra)


def _latlon(value: object) -> tuple[float, float] | str:
    """``"lat,lon"`` -> (lon, lat), or why not."""
    if not isinstance(value, str):
        return f"latlon must be text \"lat,lon\", got {short_repr(value)}"
    parts = value.split(",")
    if len(parts) != 2:
        return f"latlon {value!r} is not \"lat,lon\""
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return f"latlon {value!r} is not two numbers"
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return f"latlon {value!r} is not finite"
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return f"latlon {value!r} is outside lat [-90, 90], lon [-180, 180]"
    return lon, lat


@dataclass(frozen=True)
class FolderData:
    """The parsed files of a TeleGeography folder (:func:`read_folder`).

    Attributes
    ----------
    folder : Path
    cable_geo_path, landing_geo_path : Path
        The two GeoJSON files.
    geo_cables : dict of str to GeoCable
        ``cable-geo.json`` by cable id.
    geo_landings : dict of str to GeoLanding
        ``landing-point-geo.json`` by landing point id.
    files : dict of str to CableFile
        The per-cable files by cable id.
    index_files : tuple of str
        Names of the JSON lists in ``cable/`` (skipped).
    cable_geo_stats : CableGeoStats
    landing_geo_stats : LandingGeoStats
    """

    folder: Path
    cable_geo_path: Path
    landing_geo_path: Path
    geo_cables: dict[str, GeoCable]
    geo_landings: dict[str, GeoLanding]
    files: dict[str, CableFile]
    index_files: tuple[str, ...]
    cable_geo_stats: CableGeoStats
    landing_geo_stats: LandingGeoStats

    @property
    def layouts(self) -> list[str]:
        """The API layouts seen in the per-cable files: ``v2`` (``latlon`` given) and/or
        ``current`` (``country`` given)."""
        out = []
        if any(e.latlon is not None for f in self.files.values() for e in f.landings):
            out.append("v2")
        if any(e.country is not None for f in self.files.values() for e in f.landings):
            out.append("current")
        return out


def read_folder(folder: Path) -> FolderData:
    """Read ``cable/cable-geo.json``, ``landing-point/landing-point-geo.json`` and every
    ``cable/<slug>.json`` of a TeleGeography folder.

    Raises
    ------
    ImportFormatError
        When the folder or a file is missing or malformed, listing every problem.
    """
    if not folder.is_dir():
        raise ImportFormatError(f"TeleGeography folder {str(folder)!r} does not exist", [
            Problem(str(folder), None, None, "no such folder" if not folder.exists() else
                    "is a file; expected the folder holding cable/ and landing-point/")])
    problems: list[Problem] = []
    cable_dir = folder / "cable"
    geo_path = cable_dir / "cable-geo.json"
    lp_path = folder / "landing-point" / "landing-point-geo.json"
    geo, geo_stats = read_cable_geo(geo_path, problems)
    geo_landings, landing_stats = read_landing_geo(lp_path, problems)
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
    return FolderData(folder, geo_path, lp_path, geo, geo_landings, files, tuple(index_files),
                      geo_stats, landing_stats)
