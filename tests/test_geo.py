"""Geodesy and physics against hand-computed values."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString, MultiLineString

from cablesim.geo import (
    C_KM_PER_S,
    GEO_ALTITUDE_KM,
    fibre_latency_ms,
    fibre_rtt_floor_ms,
    geo_satellite_latency_ms,
    geodesic_length_km,
    great_circle_km,
    great_circle_line,
    path_length_km,
    split_antimeridian,
    summed_distance_km,
)

SINGAPORE = (103.8198, 1.3521)
HONG_KONG = (114.1694, 22.3193)
LONDON = (-0.1276, 51.5072)
FRANKFURT = (8.6821, 50.1109)
TOKYO = (139.6917, 35.6895)
LOS_ANGELES = (-118.2437, 34.0522)


def test_singapore_hong_kong_great_circle_is_about_2590_km():
    assert great_circle_km(*SINGAPORE, *HONG_KONG) == pytest.approx(2590, rel=0.01)


def test_london_frankfurt_great_circle():
    # published city-centre distance: about 637 km
    assert great_circle_km(*LONDON, *FRANKFURT) == pytest.approx(637, rel=0.01)


def test_one_degree_of_equator_is_111_32_km():
    assert geodesic_length_km(LineString([(0, 0), (1, 0)])) == pytest.approx(111.32, abs=0.01)


def test_fibre_latency_per_1000_km():
    # 1000 km * 1.4682 / 299792.458 km/s = 4.8974 ms
    assert fibre_latency_ms(1000.0) == pytest.approx(4.8974, abs=1e-4)
    assert fibre_rtt_floor_ms(0, 0, 1, 0) == pytest.approx(2 * 111.32 * 1.4682 / C_KM_PER_S * 1e3,
                                                          rel=1e-4)


def test_geostationary_hop_from_the_sub_satellite_point():
    # straight up and down: 2 x 35,786 km at c = 238.74 ms
    assert geo_satellite_latency_ms(128.5, 0, 128.5, 0, 128.5) == pytest.approx(
        2 * GEO_ALTITUDE_KM / C_KM_PER_S * 1e3, rel=1e-6)


def test_geostationary_hop_from_vientiane_is_longer_than_from_the_equator():
    vientiane = (102.6, 17.97)
    assert geo_satellite_latency_ms(*vientiane, *vientiane, 128.5) > 240.0


def test_great_circle_line_crossing_the_antimeridian_is_split():
    line = great_circle_line(*TOKYO, *LOS_ANGELES)
    assert isinstance(line, MultiLineString)
    assert len(line.geoms) == 2
    for part in line.geoms:
        assert all(-180.0 <= x <= 180.0 for x, _ in part.coords)
    assert line.geoms[0].coords[-1][0] == 180.0
    assert line.geoms[1].coords[0][0] == -180.0
    assert geodesic_length_km(line) == pytest.approx(great_circle_km(*TOKYO, *LOS_ANGELES),
                                                     rel=0.005)


def test_great_circle_line_without_crossing_is_one_line_with_exact_ends():
    line = great_circle_line(*SINGAPORE, *HONG_KONG)
    assert isinstance(line, LineString)
    assert line.coords[0] == SINGAPORE and line.coords[-1] == HONG_KONG
    assert math.isclose(geodesic_length_km(line), great_circle_km(*SINGAPORE, *HONG_KONG),
                        rel_tol=1e-3)


def test_great_circle_line_from_the_antimeridian_itself():
    line = great_circle_line(180.0, 10.0, -179.5, 10.0)
    assert geodesic_length_km(line) == pytest.approx(great_circle_km(180.0, 10.0, -179.5, 10.0),
                                                     rel=1e-3)


def test_path_length_sums_the_steps():
    coords = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]
    steps = great_circle_km(0, 0, 1, 0) + great_circle_km(1, 0, 1, 1)
    assert path_length_km(coords) == pytest.approx(steps, rel=1e-12)
    assert path_length_km(coords[:1]) == 0.0
    assert summed_distance_km([0.0, 1.0], [0.0, 0.0], [1.0, 1.0], [0.0, 1.0]) == \
        pytest.approx(steps, rel=1e-12)


def test_split_antimeridian_exact_and_drawn():
    # exact: the input points are kept, the crossing is interpolated on the edge
    parts = split_antimeridian([(179.0, 0.0), (-179.0, 2.0)])
    assert parts == [[(179.0, 0.0), (180.0, 1.0)], [(-180.0, 1.0), (-179.0, 2.0)]]
    # drawn: unwrapped first, so a route starting on +180 and going east stays east of it
    drawn = split_antimeridian([(180.0, 0.0), (-179.0, 0.0), (-178.123456, 1.0)], ndigits=5)
    assert drawn == [[(-180.0, 0.0), (-179.0, 0.0), (-178.12346, 1.0)]]
    assert split_antimeridian([(180.0, 0.0), (-179.0, 0.0)]) == [
        [(180.0, 0.0), (180.0, 0.0)], [(-180.0, 0.0), (-179.0, 0.0)]]
    # no crossing: one part
    assert split_antimeridian([(10.0, 0.0), (20.0, 0.0)], ndigits=5) == [
        [(10.0, 0.0), (20.0, 0.0)]]
