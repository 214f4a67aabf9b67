"""Derive ``countries-50m.topo.json`` from world-atlas 2.0.2's ``countries-50m.json``.

Provenance script (not imported by cablesim). Run it with the original file::

    python tools/derive_naturalearth.py path/to/world-atlas/countries-50m.json \
        src/cablesim/data/naturalearth/countries-50m.topo.json

What it does, arc by arc (TopoJSON arcs are shared between neighbouring countries, so
borders stay shared and gap-free):

1. decode the quantised, delta-encoded arc into lon/lat degrees;
2. simplify it with Douglas-Peucker at 0.01 degrees (end points are kept, so arcs still
   meet; closed arcs keep at least four points so small islands stay polygons);
3. re-quantise to a 0.01 degree grid and drop repeated points;
4. delta-encode again.

The ``countries`` (id = ISO 3166 numeric, name) and ``land`` objects are kept unchanged.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import shapely

GRID = 0.01
TOLERANCE = 0.01


def _decode(arc: list[list[int]], scale: list[float], translate: list[float]) -> np.ndarray:
    q = np.cumsum(np.asarray(arc, dtype=np.int64), axis=0)
    return q * np.asarray(scale) + np.asarray(translate)


def _simplify(xy: np.ndarray) -> np.ndarray:
    if len(xy) <= 2:
        return xy
    closed = bool(np.allclose(xy[0], xy[-1]))
    out = shapely.get_coordinates(shapely.simplify(shapely.linestrings(xy), TOLERANCE,
                                                   preserve_topology=False))
    if closed and len(out) < 4:
        out = shapely.get_coordinates(shapely.simplify(shapely.linestrings(xy), TOLERANCE,
                                                       preserve_topology=True))
        if len(out) < 4:
            out = xy
    return out


def _quantise(xy: np.ndarray, closed_hint: bool) -> list[list[int]]:
    q = np.rint((xy - np.array([-180.0, -90.0])) / GRID).astype(np.int64)
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = np.any(q[1:] != q[:-1], axis=1)
    q = q[keep]
    if len(q) == 1:
        q = np.vstack([q, q])
    if closed_hint and len(q) < 4:
        # a tiny closed island: keep the unrounded shape's corners on the grid anyway
        q = np.vstack([q[0], q[0] + [1, 0], q[0] + [1, 1], q[0]])
    delta = np.vstack([q[:1], np.diff(q, axis=0)])
    return delta.tolist()


def derive(source: dict) -> dict:
    """Return the cut-down TopoJSON document for a world-atlas TopoJSON document."""
    scale, translate = source["transform"]["scale"], source["transform"]["translate"]
    arcs = []
    for arc in source["arcs"]:
        xy = _decode(arc, scale, translate)
        closed = len(xy) > 3 and bool(np.allclose(xy[0], xy[-1]))
        arcs.append(_quantise(_simplify(xy), closed))
    return {
        "type": "Topology",
        "bbox": source.get("bbox"),
        "transform": {"scale": [GRID, GRID], "translate": [-180.0, -90.0]},
        "objects": source["objects"],
        "arcs": arcs,
    }


def main(argv: list[str]) -> int:
    src, dst = argv[1], argv[2]
    with open(src, encoding="utf-8") as handle:
        doc = derive(json.load(handle))
    with open(dst, "w", encoding="utf-8") as handle:
        json.dump(doc, handle, separators=(",", ":"))
        handle.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
