"""Maps and charts: sizes, non-blank images, lines where they must be (pixel checks)."""

from __future__ import annotations

import io
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from PIL import Image
from shapely.geometry import MultiLineString

import cablesim
from cablesim import plot
from cablesim._errors import CablesimError, ScenarioError
from cablesim.commands.maps import render_map
from cablesim.experiment import load_experiment
from cablesim.experiment.path import paths_under
from cablesim.plot import maps as plot_maps
from cablesim.plot.basemap import fit_extent, geometry_parts
from conftest import STUDY

DATA = Path(__file__).resolve().parent / "data"
SMALL = DATA / "policy_small"
EXPERIMENT = SMALL / "experiment.toml"

SUBMARINE = to_rgb(plot_maps.KIND_COLOURS["submarine"])

# Boxes (lon_min, lat_min, lon_max, lat_max) with no link of the small topology.
SOUTH_INDIAN_OCEAN = (65.0, -45.0, 90.0, -28.0)
BANDA_SEA = (119.0, -11.0, 128.0, -5.0)
AFRICA = (10.0, -20.0, 35.0, 10.0)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drawing must never touch the network."""

    def refuse(*args, **kwargs):
        raise AssertionError("cablesim.plot tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def small_result() -> cablesim.ExperimentResult:
    return cablesim.run_experiment(cablesim.load_experiment(EXPERIMENT))


@pytest.fixture(scope="module")
def small_net() -> cablesim.Network:
    return cablesim.load_topology(SMALL)


# ---------------------------------------------------------------------------- helpers
def png_pixels(fig, dpi: float | None = None) -> np.ndarray:
    """The figure as an RGB float array (rows from the top), as save_figure writes it."""
    data = plot.figure_bytes(fig, "png", dpi)
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=float) / 255.0


def map_axes(fig):
    return [ax for ax in fig.axes if hasattr(ax, "cablesim_frame")]


def box_pixels(img: np.ndarray, ax, box: tuple[float, float, float, float]) -> np.ndarray:
    """Pixels of the image inside a lon/lat box of a map's axes."""
    lon0, lat0, lon1, lat1 = box
    c0, r0 = plot.map_pixel(ax, lon0, lat1)
    c1, r1 = plot.map_pixel(ax, lon1, lat0)
    r0, r1 = sorted((int(round(r0)), int(round(r1))))
    c0, c1 = sorted((int(round(c0)), int(round(c1))))
    assert 0 <= r0 < r1 <= img.shape[0] and 0 <= c0 < c1 <= img.shape[1], "box off the image"
    return img[r0:r1, c0:c1].reshape(-1, 3)


def around(img: np.ndarray, ax, lon: float, lat: float, radius: int = 6) -> np.ndarray:
    col, row = plot.map_pixel(ax, lon, lat)
    r, c = int(round(row)), int(round(col))
    return img[max(r - radius, 0):r + radius + 1, max(c - radius, 0):c + radius + 1].reshape(-1, 3)


def count_colour(pixels: np.ndarray, rgb: tuple[float, float, float], tol: float = 0.12) -> int:
    return int((np.abs(pixels - np.asarray(rgb)).max(axis=1) < tol).sum())


def warm(pixels: np.ndarray) -> int:
    """Pixels clearly red/orange/brown (red well above blue)."""
    return int((pixels[:, 0] - pixels[:, 2] > 0.2).sum())


def cool(pixels: np.ndarray) -> int:
    """Pixels clearly blue (blue well above red; the pale ocean is not)."""
    return int((pixels[:, 2] - pixels[:, 0] > 0.25).sum())


def lon_on_line(net: cablesim.Network, link: str, lat: float, frame) -> float:
    """Frame longitude where a link's drawn route crosses a latitude."""
    line = geometry_parts(net.links.geometry[link], frame)[0]
    order = np.argsort(line[:, 1])
    return float(np.interp(lat, line[order, 1], line[order, 0]))


def lat_on_line(net: cablesim.Network, link: str, lon: float, frame) -> float:
    """Latitude where a link's drawn route crosses a frame longitude."""
    line = geometry_parts(net.links.geometry[link], frame)[0]
    order = np.argsort(line[:, 0])
    return float(np.interp(lon, line[order, 0], line[order, 1]))


def count_saturated(pixels: np.ndarray, threshold: float = 0.3) -> int:
    """Pixels of a strong colour (basemap, grid, labels and markers are all greyish)."""
    return int((pixels.max(axis=1) - pixels.min(axis=1) > threshold).sum())


def assert_not_blank(img: np.ndarray, ink: float = 0.03) -> None:
    assert img.std() > 0.05
    assert (img.min(axis=2) < 0.9).mean() > ink  # that share of the image is not white
    sample = (img[::3, ::3] * 255).astype(np.uint32)
    assert len(np.unique(sample[..., 0] << 16 | sample[..., 1] << 8 | sample[..., 2])) > 50


# ---------------------------------------------------------------------------- outlines
def test_outlines_ship_with_the_package_and_include_small_countries() -> None:
    outlines = plot.country_outlines()
    names = set(outlines["name"])
    assert {"Singapore", "Myanmar", "Viet Nam" if "Viet Nam" in names else "Vietnam"} <= names
    assert outlines.geometry.is_valid.all()
    singapore = outlines[outlines["name"] == "Singapore"].geometry.iloc[0]
    assert singapore.buffer(0.05).contains(cablesim.load_topology(SMALL).nodes.geometry["SGSIN"])
    data = Path(plot.__file__).resolve().parents[1] / "data" / "naturalearth"
    assert (data / "SOURCE.md").read_text().count("Natural Earth") >= 2
    assert (data / "countries-50m.topo.json").stat().st_size < 1_000_000


def test_outlines_across_the_antimeridian_are_unwrapped() -> None:
    outlines = plot.country_outlines()
    for name in ("Russia", "Fiji"):
        geom = outlines[outlines["name"] == name].geometry.iloc[0]
        for part in getattr(geom, "geoms", [geom]):
            west, _, east, _ = part.bounds
            assert east - west < 200.0, name  # no ring jumping from +180 to -180


# ---------------------------------------------------------------------------- extents
def test_extents_presets_boxes_and_errors() -> None:
    world = plot.resolve_extent("world")
    assert world.width == 360.0 and world.lon0 == -30.0
    pacific = plot.resolve_extent((100, -50, -100, 60))  # crosses the antimeridian
    assert (pacific.lon_min, pacific.lon_max) == (100.0, 260.0)
    assert float(pacific.x(-120.0)) == 240.0
    assert plot.resolve_extent("100,-50,-100,60") == pacific
    with pytest.raises(ScenarioError) as err:
        plot.resolve_extent("wrold")
    assert "did you mean 'world'" in str(err.value)
    with pytest.raises(ScenarioError):
        plot.resolve_extent((0, 10, 20, 5))
    with pytest.raises(ScenarioError):
        plot.resolve_extent("1,2,x,4")
    fitted = fit_extent([139.7, -118.2], [35.7, 34.1])
    assert fitted.lon_min < 139.7 and fitted.lon_max > 241.8 and fitted.width < 180


# ---------------------------------------------------------------------------- topology maps
@pytest.fixture(scope="module")
def topo_fig(small_net):
    return plot.plot_network(small_net, extent=STUDY.map_extent, figsize=(6, 5), dpi=50,
                             labels=False, legend=False)


def test_network_map_size_and_lines_near_singapore(small_net, topo_fig) -> None:
    fig = topo_fig
    img = png_pixels(fig)
    assert img.shape == (250, 300, 3)
    assert_not_blank(img, 0.25)
    ax = map_axes(fig)[0]
    assert count_colour(around(img, ax, 103.82, 1.35), SUBMARINE) > 3
    lon = lon_on_line(small_net, "bkk-sgn", 8.0, ax.cablesim_frame)
    assert warm(around(img, ax, lon, 8.0, 3)) > 1  # the brown Bangkok-Singapore land route
    empty = box_pixels(img, ax, BANDA_SEA)
    assert count_colour(empty, SUBMARINE, 0.25) == 0 and count_saturated(empty) == 0


def _pacific_network() -> cablesim.Network:
    nodes = pd.DataFrame({
        "id": ["JPTYO", "USLAX"], "name": ["Tokyo", "Los Angeles"], "kind": ["hub", "hub"],
        "country": ["JPN", "USA"], "lon": [139.69, -118.24], "lat": [35.69, 34.05],
        "citation": ["test", "test"]})
    links = pd.DataFrame({
        "id": ["pacific"], "from_node": ["JPTYO"], "to_node": ["USLAX"],
        "kind": ["submarine"], "system": ["Test Pacific"], "capacity_gbps": [100.0],
        "price_usd_per_mbps_month": [1.0], "length_km": [None], "status": ["existing"],
        "rfs_year": [None], "citation": ["test"]})
    return cablesim.Network.from_tables(nodes, links, name="pacific")


def test_antimeridian_route_is_one_line_across_the_pacific() -> None:
    net = _pacific_network()
    assert isinstance(net.links.geometry["pacific"], MultiLineString)  # split at +-180
    frame = plot.resolve_extent("world")
    parts = geometry_parts(net.links.geometry["pacific"], frame)
    assert len(parts) == 1 and np.abs(np.diff(parts[0][:, 0])).max() < 10
    fig = plot.plot_network(net, extent="world", figsize=(8, 4), dpi=50, labels=False,
                            legend=False)
    img = png_pixels(fig)
    ax = map_axes(fig)[0]
    # the great circle crosses 180 degrees near 47 N: drawn there...
    lat_at_180 = float(np.interp(180.0, parts[0][:, 0], parts[0][:, 1]))
    assert count_colour(around(img, ax, 180.0, lat_at_180, 4), SUBMARINE) > 2
    # ...and not as a line across the whole map (over Africa, or the Atlantic seam)
    assert count_saturated(box_pixels(img, ax, AFRICA)) == 0
    assert count_saturated(box_pixels(img, ax, (-25.0, 20.0, 60.0, 50.0))) == 0


def test_svg_and_png_files(tmp_path: Path, topo_fig) -> None:
    path = plot.save_figure(topo_fig, tmp_path / "topo.svg")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert root.get("width", "").startswith("432")  # 6 in x 72 pt
    path = plot.save_figure(topo_fig, tmp_path / "topo.png", dpi=60)
    with Image.open(path) as image:
        assert image.size == (360, 300)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["topo.png", "topo.svg"]  # no temp files
    with pytest.raises(CablesimError) as err:
        plot.save_figure(topo_fig, tmp_path / "topo.jpg")
    assert ".png or .svg" in str(err.value)


# ---------------------------------------------------------------------------- scenario maps
def test_scenario_map_lines_near_singapore_and_none_in_empty_ocean(small_result, small_net):
    fig = plot.plot_scenario(small_result, "direct", network=small_net, figsize=(7, 5),
                             dpi=50, labels=False)
    img = png_pixels(fig)
    assert img.shape == (250, 350, 3)
    assert_not_blank(img, 0.25)
    ax = map_axes(fig)[0]
    assert count_saturated(around(img, ax, 103.82, 1.35)) > 3
    assert count_saturated(box_pixels(img, ax, BANDA_SEA)) == 0
    # the colour bar exists (utilisation)
    assert any("Utilisation" in (a.get_xlabel() + a.get_ylabel()) for a in fig.axes)


def test_hairpin_scenario_world_map_crosses_the_pacific(small_result, small_net) -> None:
    fig = plot.plot_scenario(small_result, "hairpin_us", network=small_net, extent="world",
                             figsize=(9, 4), dpi=50, labels=False)
    img = png_pixels(fig)
    ax = map_axes(fig)[0]
    line = geometry_parts(small_net.links.geometry["hkg-lax"], ax.cablesim_frame)[0]
    lat_at_180 = float(np.interp(180.0, line[:, 0], line[:, 1]))
    assert count_saturated(around(img, ax, 180.0, lat_at_180, 4)) > 2
    assert count_saturated(box_pixels(img, ax, SOUTH_INDIAN_OCEAN)) == 0


def test_unknown_scenario_is_a_scenario_error(small_result, small_net) -> None:
    with pytest.raises(ScenarioError) as err:
        plot.plot_scenario(small_result, "hairpin-us", network=small_net)
    assert "did you mean 'hairpin_us'" in str(err.value)
    with pytest.raises(ScenarioError):
        plot.plot_comparison(small_result, "direct", "nope", network=small_net)
    with pytest.raises(ScenarioError):
        plot.plot_difference(small_result, "nope", "direct", network=small_net)


def test_comparison_and_difference_maps(small_result, small_net) -> None:
    fig = plot.plot_comparison(small_result, "hairpin_us", "guangxi_hub", network=small_net,
                               figsize=(10, 4), dpi=40, labels=False)
    img = png_pixels(fig)
    assert img.shape == (160, 400, 3)
    assert len(map_axes(fig)) == 2
    for ax in map_axes(fig):
        assert count_saturated(around(img, ax, 103.82, 1.35, 4)) > 2
    fig = plot.plot_difference(small_result, "hairpin_us", "guangxi_hub", network=small_net,
                               figsize=(7, 5), dpi=50, labels=False)
    img = png_pixels(fig)
    assert img.shape == (250, 350, 3)
    ax = map_axes(fig)[0]
    # guangxi_hub moves Hanoi-Bangkok and Jakarta-Hanoi off the trans-Pacific hairpin:
    # the new Nanning-Bangkok link gains (blue), Hong Kong-Los Angeles loses (orange)
    frame = ax.cablesim_frame
    lon = lon_on_line(small_net, "bkk-nng", 17.5, frame)
    assert cool(around(img, ax, lon, 17.5, 4)) > 1
    lat = lat_on_line(small_net, "hkg-lax", 125.0, frame)
    assert warm(around(img, ax, 125.0, lat, 4)) > 2
    assert cool(around(img, ax, 125.0, lat, 4)) == 0
    assert count_saturated(box_pixels(img, ax, BANDA_SEA)) == 0


# ---------------------------------------------------------------------------- path maps
def test_path_map_shows_the_hairpin_across_the_pacific(small_net) -> None:
    paths = paths_under(load_experiment(EXPERIMENT), "VNHAN", "IDJKT",
                        ["direct", "hairpin_us"], network=small_net)
    fig = plot.plot_paths(small_net, "VNHAN", "IDJKT", paths, colours=STUDY.settings.colours,
                          figsize=(9, 7), dpi=40, labels=False)
    img = png_pixels(fig)
    assert img.shape == (280, 360, 3)
    wide = map_axes(fig)[0]
    hairpin = to_rgb(STUDY.settings.colours["hairpin_us"])
    direct = to_rgb(STUDY.settings.colours["direct"])
    line = geometry_parts(small_net.links.geometry["hkg-lax"], wide.cablesim_frame)[0]
    lat_at_180 = float(np.interp(180.0, line[:, 0], line[:, 1]))
    assert count_colour(around(img, wide, 180.0, lat_at_180, 5), hairpin, 0.15) > 2
    assert count_colour(around(img, wide, 180.0, lat_at_180, 5), direct, 0.15) == 0
    assert count_colour(around(img, wide, 105.0, -2.5, 5), direct, 0.15) > 2  # Java Sea
    legend = " ".join(t.get_text() for leg in fig.legends for t in leg.get_texts())
    assert "hairpin_us: RTT" in legend and "direct: RTT" in legend


def test_path_map_errors(small_net) -> None:
    experiment = load_experiment(EXPERIMENT)
    with pytest.raises(ScenarioError) as err:
        paths_under(experiment, "VNHANN", "IDJKT", ["direct"], network=small_net)
    assert "did you mean 'VNHAN'" in str(err.value)
    assert err.value.problems[0].file == "origin"
    with pytest.raises(ScenarioError) as err:
        paths_under(experiment, "VNHAN", "IDJKT", ["hairpin_usa"], network=small_net)
    assert "did you mean 'hairpin_us'" in str(err.value)
    with pytest.raises(ScenarioError) as err:  # the plot checks the ends it is given too
        plot.plot_paths(small_net, "VNHAN", "IDJKX", {"direct": "no path"})
    assert "did you mean 'IDJKT'" in str(err.value)
    with pytest.raises(ScenarioError):
        plot.plot_paths(small_net, "VNHAN", "IDJKT", {})


def test_plot_package_never_loads_or_runs() -> None:
    """Plots draw what they are given: nothing under plot/ imports a loader or the runner."""
    import ast

    forbidden = ("cablesim.experiment", "cablesim.io", "cablesim.simulation",
                 "cablesim.planning", "cablesim.demand", "cablesim.study")
    for file in (Path(plot.__file__).parent).glob("*.py"):
        tree = ast.parse(file.read_text())
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(forbidden), f"{file.name} imports {name}"


# ---------------------------------------------------------------------------- charts
@pytest.mark.parametrize("chart", ["plot_latency_cdf", "plot_country_costs",
                                   "plot_utilisation_histogram", "plot_transit_prices"])
def test_charts_have_the_requested_size_and_are_not_blank(small_result, chart) -> None:
    fig = getattr(plot, chart)(small_result, figsize=(8, 4.5), dpi=40)
    img = png_pixels(fig)
    assert img.shape == (180, 320, 3)
    assert_not_blank(img)


def test_charts_reject_unknown_scenarios(small_result) -> None:
    with pytest.raises(ScenarioError):
        plot.plot_latency_cdf(small_result, scenarios=["direct", "drect"])
    with pytest.raises(ScenarioError):
        plot.plot_transit_prices(small_result, scenario="nope")


# ---------------------------------------------------------------------------- render_map
def test_render_map_from_files(tmp_path: Path) -> None:
    out = render_map(SMALL, tmp_path / "topo.png", dpi=40, width_px=320, height_px=240)
    with Image.open(out) as image:
        assert image.size == (320, 240)
    out = render_map(EXPERIMENT, tmp_path / "scenario.png", scenario="guangxi_hub", dpi=30,
                          labels=False)
    with Image.open(out) as image:
        assert image.size[0] > 200
    with pytest.raises(ScenarioError) as err:
        render_map(EXPERIMENT, tmp_path / "x.png", scenario="guangxi")
    assert "did you mean 'guangxi_hub'" in str(err.value)
    with pytest.raises(ScenarioError):
        render_map(SMALL, tmp_path / "x.png", scenario="direct")  # a topology folder
    with pytest.raises(ScenarioError):
        render_map(SMALL, tmp_path / "x.gif")
    with pytest.raises(ScenarioError):
        render_map(SMALL, tmp_path / "x.png", extent="wrld")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.png", "topo.png"]


def test_transit_price_chart_without_capitals_says_so():
    import dataclasses

    from cablesim import plot
    from cablesim.experiment import load_experiment, run_experiment
    from conftest import DATA

    result = run_experiment(load_experiment(DATA / "policy_small" / "experiment.toml"))
    empty = dataclasses.replace(result, transit_prices=result.transit_prices.iloc[0:0])
    fig = plot.plot_transit_prices(empty, dpi=40)
    assert any("No delivered transit prices" in t.get_text() for t in fig.texts)


def test_country_cost_chart_keeps_asean_and_the_largest_countries(small_result) -> None:
    import dataclasses

    countries = small_result.countries
    names = sorted(countries["country"].unique())
    # stand-in countries: one more than the limit, with growing traffic
    extra = pd.DataFrame([{**countries.iloc[0].to_dict(), "country": f"X{i:02d}",
                           "offered_gbps": float(i)} for i in range(12)])
    many = dataclasses.replace(small_result, countries=pd.concat([countries, extra]))
    limit = len(names) + 5
    fig = plot.plot_country_costs(many, dpi=40, max_countries=limit)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert len(labels) == limit
    assert "X11" in labels and "X07" in labels and "X06" not in labels  # the largest kept
    assert any("7 more countries are in countries.csv" in t.get_text() for t in fig.texts)
    fig = plot.plot_country_costs(small_result, dpi=40)
    assert not any("more countries" in t.get_text() for t in fig.texts)
