"""One call from a file on disk to a picture: what ``cablesim map`` needs.

``render_map(source, out, ...)`` draws

- a topology folder (``cablesim map topology/china_asean --out topo.png``);
- a scenario of an experiment file (``--scenario guangxi_hub``): only that scenario is run;
- two scenarios side by side (``--compare A B``) or their difference (``--difference A B``);
- the path of one pair under several policies (``--path VNHAN IDJKT [--policy ...]``);

and saves it as PNG or SVG (by the suffix of ``out``), atomically.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cablesim._errors import Problem, ScenarioError, did_you_mean
from cablesim.plot._figure import FORMATS, save_figure

__all__ = ["render_map", "figure_size"]


def figure_size(width_px: int | None, height_px: int | None,
                dpi: float) -> tuple[float, float] | None:
    """Figure size in inches for an image of ``width_px`` x ``height_px`` pixels at ``dpi``
    (``None`` when neither is given: the picture takes its natural shape)."""
    if width_px is None and height_px is None:
        return None
    problems = [Problem(flag, None, None, f"must be a whole number of pixels from 200 to "
                        f"20000, got {value!r}")
                for flag, value in (("--width", width_px), ("--height", height_px))
                if value is not None and not (isinstance(value, int) and 200 <= value <= 20000)]
    if width_px is None or height_px is None:
        problems.append(Problem("--width" if width_px is None else "--height", None, None,
                                "give both --width and --height, or neither"))
    if problems:
        raise ScenarioError("bad image size", problems)
    assert width_px is not None and height_px is not None
    return width_px / dpi, height_px / dpi


def render_map(source: str | Path, out: str | Path, scenario: str | None = None,
               compare: Sequence[str] | None = None, difference: Sequence[str] | None = None,
               path: Sequence[str] | None = None, policies: Sequence[str] | None = None,
               extent: str | Sequence[float] | None = None, dpi: float = 150.0,
               width_px: int | None = None, height_px: int | None = None,
               labels: bool = True) -> Path:
    """Draw a map of a topology folder or an experiment file and save it to ``out``.

    Parameters
    ----------
    source : path-like
        A topology folder, or an experiment TOML file.
    out : path-like
        ``.png`` or ``.svg`` file to write.
    scenario : str, optional
        With an experiment file: the scenario to map (default: the first).
    compare, difference : (str, str), optional
        With an experiment file: two scenarios side by side, or the change from the first
        to the second.
    path : (str, str), optional
        With an experiment file: origin and destination node ids; the map shows the path
        under each of ``policies`` (scenario names or policy presets; default direct,
        hairpin_us, regional_hubs, guangxi_hub where the experiment has them).
    extent : str or (lon_min, lat_min, lon_max, lat_max), optional
        A preset (``china_asean``, ``world``, ``asia_pacific``, ``asia_europe``, ``auto``)
        or a box. Default: China-ASEAN, or the world view for a scenario whose
        intra-ASEAN traffic leaves the region; for paths, fitted to the paths.
    dpi : float
        Resolution (PNG); with ``width_px`` and ``height_px`` the image has exactly that
        many pixels.
    labels : bool
        Label hubs and capitals.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    CablesimError
        Bad input of any kind (unknown scenario or node, bad extent, unsupported suffix,
        invalid topology or experiment), with located problems and hints.
    """
    from cablesim import plot
    from cablesim.io.topology import load_topology
    from cablesim.scenario import load_experiment, run_experiment

    target = Path(out)
    if target.suffix.lower() not in FORMATS:
        raise ScenarioError("cannot save the map", [Problem(
            str(target), None, None, f"unsupported image type {target.suffix or '(none)'!r}",
            "use a .png or .svg file name")])
    figsize = figure_size(width_px, height_px, dpi)
    if extent is not None and extent != "auto":
        plot.resolve_extent(extent)  # fail early on a bad extent
    src = Path(source)
    chosen = [x for x in (scenario, compare, difference, path) if x]
    if len(chosen) > 1:
        raise ScenarioError("choose one kind of map", [Problem(
            "map", None, None, "give only one of --scenario, --compare, --difference, --path")])
    if src.is_dir():
        if chosen:
            raise ScenarioError("a topology has no scenarios", [Problem(
                str(src), None, None, "--scenario, --compare, --difference and --path need an "
                "experiment file, not a topology folder")])
        net = load_topology(src)
        fig = plot.plot_network(net, extent=extent or "china_asean", figsize=figsize, dpi=dpi,
                                labels=labels)
        return save_figure(fig, target, dpi=dpi)
    experiment = load_experiment(src)
    names = [s.name for s in experiment.scenarios]
    if path:
        if len(path) != 2:
            raise ScenarioError("bad path", [Problem("--path", None, None,
                                                     "give an origin and a destination id")])
        wanted = list(policies) if policies else (
            [p for p in ("direct", "hairpin_us", "regional_hubs", "guangxi_hub")
             if p in names] or names[:4])
        fig = plot.plot_paths(experiment, path[0], path[1], wanted, extent=extent,
                              figsize=figsize, dpi=dpi, labels=labels)
        return save_figure(fig, target, dpi=dpi)
    pair = list(compare or difference or [])
    if pair and len(pair) != 2:
        raise ScenarioError("bad scenario pair", [Problem(
            "--compare" if compare else "--difference", None, None, "give two scenario names")])
    wanted_names = pair or [scenario or names[0]]
    problems = [Problem(str(src), None, "scenario", f"no scenario named {n!r} (scenarios: "
                        f"{', '.join(names)})", did_you_mean(n, names))
                for n in wanted_names if n not in names]
    if problems:
        raise ScenarioError("unknown scenario", problems)
    specs = tuple(s for s in experiment.scenarios if s.name in wanted_names)
    result = run_experiment(dataclasses.replace(experiment, scenarios=specs))
    net = load_topology(experiment.topology)
    kwargs: dict[str, Any] = dict(network=net, figsize=figsize, dpi=dpi, labels=labels)
    if compare:
        fig = plot.plot_comparison(result, pair[0], pair[1], extent=extent or "china_asean",
                                   **kwargs)
    elif difference:
        fig = plot.plot_difference(result, pair[0], pair[1], extent=extent or "china_asean",
                                   **kwargs)
    else:
        name = wanted_names[0]
        if extent is None:
            share = float(result.scenarios.set_index("scenario").at[name, "out_of_region_share"])
            extent = "world" if share > 0.01 else "china_asean"
        fig = plot.plot_scenario(result, name, extent=extent, **kwargs)
    return save_figure(fig, target, dpi=dpi)
