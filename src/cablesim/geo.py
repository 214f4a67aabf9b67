"""Geodesy and propagation physics: lengths in km, latencies in ms.

Constants are cited in ``docs/`` and in the facts table of the topology's SOURCES.md:
the group index of standard single-mode fibre at 1550 nm is 1.4682 (Corning SMF-28e,
ITU-T G.652), so light covers 204,190 km/s in fibre (4.897 microseconds per km one way).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry

__all__ = [
    "C_KM_PER_S",
    "FIBRE_GROUP_INDEX",
    "EARTH_RADIUS_KM",
    "GEO_ALTITUDE_KM",
    "great_circle_km",
    "great_circle_km_array",
    "summed_distance_km",
    "path_length_km",
    "geodesic_length_km",
    "great_circle_line",
    "split_antimeridian",
    "fibre_latency_ms",
    "fibre_rtt_floor_ms",
    "geo_satellite_latency_ms",
]

C_KM_PER_S = 299_792.458
"""Speed of light in vacuum, km/s."""

FIBRE_GROUP_INDEX = 1.4682
"""Group index of SMF-28e / G.652 fibre at 1550 nm (Corning product information)."""

EARTH_RADIUS_KM = 6_371.0088
"""Mean Earth radius (IUGG), km; used for satellite slant ranges."""

GEO_ALTITUDE_KM = 35_786.0
"""Altitude of the geostationary orbit above the equator, km."""

_GEOD = Geod(ellps="WGS84")
"""The one WGS84 ellipsoid of cablesim: every geodesic distance is computed on it."""


def great_circle_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Geodesic (WGS84 ellipsoid) distance between two points, km.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float
        Coordinates in degrees.
    """
    _, _, dist_m = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(dist_m) / 1000.0


def great_circle_km_array(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
                          lat2: np.ndarray) -> np.ndarray:
    """Geodesic (WGS84) distances between arrays of points, km (as :func:`great_circle_km`,
    element by element)."""
    lon1, lat1, lon2, lat2 = (np.asarray(a, dtype=float) for a in (lon1, lat1, lon2, lat2))
    if lon1.size == 0:
        return np.zeros(lon1.shape)
    _, _, dist_m = _GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(dist_m, dtype=float) / 1000.0


def summed_distance_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray,
                       lat2: np.ndarray) -> float:
    """Sum of the geodesic (WGS84) distances between pairs of points, km.

    The metres are summed before the conversion to km (so the result is not exactly
    ``great_circle_km_array(...).sum()``).
    """
    _, _, dist_m = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(np.sum(dist_m)) / 1000.0


def path_length_km(coords: Sequence[tuple[float, float]]) -> float:
    """Geodesic (WGS84) length of a polyline given as (lon, lat) degrees, km.

    Zero for fewer than two points. Unlike :func:`geodesic_length_km`, the vertices are
    taken as they are (no shapely geometry, no antimeridian handling).
    """
    if len(coords) < 2:
        return 0.0
    arr = np.asarray(coords, dtype=float)
    return summed_distance_km(arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1])


def geodesic_length_km(geometry: BaseGeometry) -> float:
    """Geodesic length of a (Multi)LineString in lon/lat degrees on the WGS84 ellipsoid, km.

    Parts of a MultiLineString are summed; the jump between parts (e.g. at the
    antimeridian) is not counted.
    """
    if geometry is None or geometry.is_empty:
        return 0.0
    return float(_GEOD.geometry_length(geometry)) / 1000.0


def great_circle_line(
    lon1: float, lat1: float, lon2: float, lat2: float, *, max_segment_km: float = 100.0
) -> LineString | MultiLineString:
    """Great-circle line between two points, densified and split at the antimeridian.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float
        End points in degrees.
    max_segment_km : float
        Longest straight piece between interpolated points, km.

    Returns
    -------
    LineString or MultiLineString
        A MultiLineString with one part on each side when the line crosses +-180 degrees.
    """
    dist = great_circle_km(lon1, lat1, lon2, lat2)
    n_between = max(int(math.ceil(dist / max_segment_km)) - 1, 0)
    inner = _GEOD.npts(lon1, lat1, lon2, lat2, n_between) if n_between else []
    lons = [lon1] + [p[0] for p in inner] + [lon2]
    lats = [lat1] + [p[1] for p in inner] + [lat2]
    parts = split_antimeridian(list(zip(lons, lats, strict=True)))
    return LineString(parts[0]) if len(parts) == 1 else MultiLineString(parts)


def split_antimeridian(coords: Sequence[Sequence[float]], *, ndigits: int | None = None
                       ) -> list[list[tuple[float, float]]]:
    """Split a (lon, lat) polyline into parts at +-180 degrees longitude.

    A step whose longitudes differ by more than 180 degrees crosses the antimeridian: the
    latitude there is interpolated linearly in lon/lat, the part before ends on the edge and
    the part after starts on the opposite edge.

    Parameters
    ----------
    coords : sequence of (lon, lat)
        Degrees, longitudes in [-180, 180]; at least two points.
    ndigits : int, optional
        ``None`` (computed lines, e.g. :func:`great_circle_line`): every input point is
        kept bit for bit and each crossing step is split on its own; parts shorter than two
        points are dropped when there are several. An integer (drawn routes, e.g.
        TeleGeography's): the longitudes are unwrapped along the line first (so a point on
        +-180 belongs to the side the line comes from, and a line may wind more than once),
        each part is moved back into [-180, 180] by whole turns (by its mean longitude),
        coordinates are rounded to ``ndigits`` decimals, repeated points are removed and
        parts shorter than two points are dropped.

    Returns
    -------
    list of list of (lon, lat)
        The parts, west-east order as drawn.
    """
    if ndigits is None:
        return _split_steps(coords)
    return _split_unwrapped(coords, ndigits)


def _split_steps(coords: Sequence[Sequence[float]]) -> list[list[tuple[float, float]]]:
    parts: list[list[tuple[float, float]]] = [[(coords[0][0], coords[0][1])]]
    for (a_lon, a_lat), (b_lon, b_lat) in itertools.pairwise(coords):
        if abs(b_lon - a_lon) > 180.0:
            # crossing: interpolate the latitude at +-180 on the unwrapped segment
            b_unwrapped = b_lon + (360.0 if b_lon < a_lon else -360.0)
            edge = 180.0 if b_unwrapped > a_lon else -180.0
            span = b_unwrapped - a_lon
            frac = (edge - a_lon) / span if span else 0.0
            lat_edge = a_lat + frac * (b_lat - a_lat)
            parts[-1].append((edge, lat_edge))
            parts.append([(-edge, lat_edge)])
        parts[-1].append((b_lon, b_lat))
    if len(parts) == 1:
        return parts
    return [p for p in parts if len(p) >= 2]


def _split_unwrapped(coords: Sequence[Sequence[float]], ndigits: int
                     ) -> list[list[tuple[float, float]]]:
    un = [(float(coords[0][0]), float(coords[0][1]))]
    for lon, lat in coords[1:]:
        prev = un[-1][0]
        lon = float(lon)
        while lon - prev > 180.0:
            lon -= 360.0
        while lon - prev < -180.0:
            lon += 360.0
        un.append((lon, float(lat)))
    parts: list[list[tuple[float, float]]] = []
    cur = [un[0]]
    for a, b in itertools.pairwise(un):
        ka, kb = math.floor((a[0] + 180.0) / 360.0), math.floor((b[0] + 180.0) / 360.0)
        if ka != kb and a[0] != b[0]:
            edge = 180.0 + 360.0 * min(ka, kb)
            t = (edge - a[0]) / (b[0] - a[0])
            lat = a[1] + t * (b[1] - a[1])
            cur.append((edge, lat))
            parts.append(cur)
            cur = [(edge, lat), b]
        else:
            cur.append(b)
    parts.append(cur)
    out = []
    for part in parts:
        mid = sum(x for x, _ in part) / len(part)
        shift = 360.0 * math.floor((mid + 180.0) / 360.0)
        q: list[tuple[float, float]] = []
        for x, y in part:
            p = (round(min(max(x - shift, -180.0), 180.0), ndigits), round(y, ndigits))
            if not q or q[-1] != p:
                q.append(p)
        if len(q) >= 2:
            out.append(q)
    return out


def fibre_latency_ms(length_km: float | np.ndarray, group_index: float = FIBRE_GROUP_INDEX):
    """One-way propagation delay of light in fibre over ``length_km``, ms.

    Accepts a scalar (returns a float) or an array (returns an array).
    """
    result = np.multiply(length_km, group_index / C_KM_PER_S * 1000.0)
    return float(result) if np.ndim(result) == 0 else result


def fibre_rtt_floor_ms(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Round-trip time floor between two points over fibre laid on the great circle, ms."""
    return 2.0 * fibre_latency_ms(great_circle_km(lon1, lat1, lon2, lat2))


def _ecef_km(lon: float, lat: float, altitude_km: float = 0.0) -> np.ndarray:
    lam, phi = math.radians(lon), math.radians(lat)
    r = EARTH_RADIUS_KM + altitude_km
    return np.array([r * math.cos(phi) * math.cos(lam), r * math.cos(phi) * math.sin(lam),
                     r * math.sin(phi)])


def geo_satellite_latency_ms(
    lon1: float, lat1: float, lon2: float, lat2: float, orbit_lon_deg: float
) -> float:
    """One-way latency of a single geostationary hop (ground -> satellite -> ground), ms.

    Uses a spherical Earth (mean radius) and straight slant paths at the speed of light.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float
        Ground stations, degrees.
    orbit_lon_deg : float
        Longitude of the satellite's orbital slot, degrees east.
    """
    sat = _ecef_km(orbit_lon_deg, 0.0, GEO_ALTITUDE_KM)
    up = float(np.linalg.norm(sat - _ecef_km(lon1, lat1)))
    down = float(np.linalg.norm(sat - _ecef_km(lon2, lat2)))
    return (up + down) / C_KM_PER_S * 1000.0
