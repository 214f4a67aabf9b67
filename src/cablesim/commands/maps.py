"""``cablesim map``: draw a topology, a scenario, a comparison, a difference or paths.

:func:`render_map` goes from files on disk to a picture: it loads the topology or the
experiment, runs what the map needs (only the scenarios drawn) and hands the results to
:mod:`cablesim.plot`, which only draws.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from cablesim._atomic import check_writable
from cablesim._errors import Problem, ScenarioError, did_you_mean

__all__ = ["register", "render_map", "FLAGS"]

FLAGS = {"width_px": "--width", "height_px": "--height", "path": "--path",
         "origin": "--path", "destination": "--path", "compare": "--compare",
         "difference": "--difference", "map": "--scenario/--compare/--difference/--path"}
"""Argument names of :func:`render_map` errors and the flags that set them."""


def render_map(source: str | Path, out: str | Path, *, scenario: str | None = None,
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
        under each of ``policies`` (scenario names or policy presets; default the study's
        ``path_policies`` where the experiment has them).
    extent : str or (lon_min, lat_min, lon_max, lat_max), optional
        ``study`` (the study's ``map_extent``), a preset (``world``, ``asia_pacific``,
        ``asia_europe``, ``auto``) or a box. Default: the study's map extent, or the world
        view for a scenario whose
        intra-focus traffic leaves the region; for paths, fitted to the paths.
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
    from cablesim.experiment import load_experiment, run_experiment
    from cablesim.experiment.path import paths_under
    from cablesim.io.topology import load_topology
    from cablesim.study import find_study

    target = Path(out)
    check_writable(target, folder=False, name="map")
    if target.suffix.lower() not in plot.FORMATS:
        raise ScenarioError("cannot save the map", [Problem(
            str(target), None, None, f"unsupported image type {target.suffix or '(none)'!r}",
            "use a .png or .svg file name")])
    figsize = plot.figure_size(width_px, height_px, dpi)
    if extent is not None and extent not in ("auto", "study"):
        plot.resolve_extent(extent)  # fail early on a bad extent
    src = Path(source)
    chosen = [x for x in (scenario, compare, difference, path) if x]
    if len(chosen) > 1:
        raise ScenarioError("choose one kind of map", [Problem(
            "map", None, None, "give only one of scenario, compare, difference, path")])
    if src.is_dir():
        if chosen:
            raise ScenarioError("a topology has no scenarios", [Problem(
                str(src), None, None, "a scenario, comparison, difference or path map needs "
                "an experiment file, not a topology folder")])
        net = load_topology(src)
        study = find_study(src)
        fig = plot.plot_network(net, extent=study.map_extent if extent in (None, "study")
                                else extent, figsize=figsize,
                                dpi=dpi, labels=labels, capitals=tuple(study.capitals.values()))
        return plot.save_figure(fig, target, dpi=dpi)
    experiment = load_experiment(src)
    if extent == "study":
        extent = experiment.study.map_extent
    names = [s.name for s in experiment.scenarios]
    if path:
        if len(path) != 2:
            raise ScenarioError("bad path", [Problem("path", None, None,
                                                     "give an origin and a destination id")])
        wanted = list(policies) if policies else (
            [p for p in experiment.study.settings.path_policies if p in names] or names[:4])
        net = load_topology(experiment.topology)
        routes = paths_under(experiment, path[0], path[1], wanted, network=net)
        fig = plot.plot_paths(net, path[0], path[1], routes, experiment_name=experiment.name,
                              colours=experiment.study.settings.colours,
                              extent=extent, figsize=figsize, dpi=dpi, labels=labels)
        return plot.save_figure(fig, target, dpi=dpi)
    pair = list(compare or difference or [])
    if pair and len(pair) != 2:
        raise ScenarioError("bad scenario pair", [Problem(
            "compare" if compare else "difference", None, None, "give two scenario names")])
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
        fig = plot.plot_comparison(result, pair[0], pair[1], extent=extent,
                                   **kwargs)
    elif difference:
        fig = plot.plot_difference(result, pair[0], pair[1], extent=extent,
                                   **kwargs)
    else:
        name = wanted_names[0]
        if extent is None:
            share = float(result.scenarios.set_index("scenario").at[name, "out_of_region_share"])
            extent = "world" if share > 0.01 else experiment.study.map_extent
        fig = plot.plot_scenario(result, name, extent=extent, **kwargs)
    return plot.save_figure(fig, target, dpi=dpi)


def _cmd_map(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    extent: Any = args.extent
    written = render_map(
        args.source, args.out, scenario=args.scenario, compare=args.compare,
        difference=args.difference, path=args.path, policies=args.policy or None,
        extent=extent, dpi=args.dpi, width_px=args.width, height_px=args.height,
        labels=not args.no_labels)
    err.write(f"wrote {written}\n")
    return 0


def register(sub: Any) -> None:
    """Add the ``map`` sub-command to the ``cablesim`` parser."""
    parser = sub.add_parser(
        "map", help="draw a route map (PNG or SVG)",
        description="Draw a map of a topology folder, or of an experiment's scenario: "
        "carried traffic as line width, utilisation as colour, proposed links dashed. With "
        "--compare or --difference, two scenarios; with --path, one origin-destination pair "
        "under several policies. Country outlines are Natural Earth (shipped); cable routes "
        "TeleGeography (CC BY-NC-SA 3.0).")
    parser.add_argument("source", help="topology folder or experiment file")
    parser.add_argument("--out", required=True, help="image file (.png or .svg)")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument("--scenario", help="scenario to map (default: the first)")
    kind.add_argument("--compare", nargs=2, metavar=("A", "B"),
                      help="two scenarios side by side")
    kind.add_argument("--difference", nargs=2, metavar=("A", "B"),
                      help="links gaining or losing traffic from A to B")
    kind.add_argument("--path", nargs=2, metavar=("ORIGIN", "DESTINATION"),
                      help="the path of one pair under each policy")
    parser.add_argument("--policy", action="append",
                        help="with --path: a scenario name or policy preset (repeatable)")
    parser.add_argument("--extent", help="study (the study's map extent), world, asia_pacific, "
                        "asia_europe, auto, "
                        "or lon_min,lat_min,lon_max,lat_max")
    parser.add_argument("--dpi", type=float, default=150.0, help="resolution (default 150)")
    parser.add_argument("--width", type=int, help="image width in pixels")
    parser.add_argument("--height", type=int, help="image height in pixels")
    parser.add_argument("--no-labels", action="store_true", help="no hub and capital labels")
    parser.set_defaults(handler=_cmd_map, flags=FLAGS)
