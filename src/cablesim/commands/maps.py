"""``cablesim map``: draw a topology, a scenario, a comparison, a difference or paths."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

__all__ = ["register"]


def _cmd_map(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cablesim.plot import render_map

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
    parser.add_argument("--extent", help="china_asean, world, asia_pacific, asia_europe, auto, "
                        "or lon_min,lat_min,lon_max,lat_max")
    parser.add_argument("--dpi", type=float, default=150.0, help="resolution (default 150)")
    parser.add_argument("--width", type=int, help="image width in pixels")
    parser.add_argument("--height", type=int, help="image height in pixels")
    parser.add_argument("--no-labels", action="store_true", help="no hub and capital labels")
    parser.set_defaults(handler=_cmd_map)
