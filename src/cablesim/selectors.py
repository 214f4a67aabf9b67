"""Link selectors: how experiment, simulation and plan files name groups of links.

A selector is ``id:<link id>``, ``system:<name pattern>``, ``status:<status>``,
``kind:<kind>``, ``tag:<value of an extra 'tag' column>`` (patterns use shell wildcards) or
``area:<lon_min>,<lat_min>,<lon_max>,<lat_max>`` (every link whose route crosses the box).
"""

from __future__ import annotations

import fnmatch
import math
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import box

from cablesim._errors import Problem

__all__ = ["SELECTOR_KINDS", "parse_selectors", "is_area", "match_links"]

SELECTOR_KINDS = ("id", "system", "status", "kind", "tag", "area")


def parse_selectors(value: Any, where: str, source: str,
                    problems: list[Problem]) -> tuple[str, ...]:
    """Check a TOML list of selectors, appending a located problem for each bad one."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(Problem(source, None, where, "must be a list of link selectors such "
                                "as 'system:APG*' or 'status:proposed'"))
        return ()
    for sel in value:
        kind = sel.split(":", 1)[0]
        if ":" not in sel or kind not in SELECTOR_KINDS:
            problems.append(Problem(source, None, where, f"bad selector {sel!r}",
                                    "use id:, system:, status:, kind: or tag: followed by a "
                                    "value or pattern, or area:lon_min,lat_min,lon_max,lat_max"))
        elif kind == "area" and not is_area(sel.split(":", 1)[1]):
            problems.append(Problem(source, None, where, f"bad area {sel!r}",
                                    "area:lon_min,lat_min,lon_max,lat_max in degrees, "
                                    "min < max"))
    return tuple(value)


def is_area(text: str) -> bool:
    """Whether ``text`` is ``lon_min,lat_min,lon_max,lat_max`` with min < max, in degrees."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        return False
    return (len(values) == 4 and all(math.isfinite(v) for v in values)
            and -180 <= values[0] < values[2] <= 180 and -90 <= values[1] < values[3] <= 90)


def match_links(links: pd.DataFrame, selector: str) -> np.ndarray:
    """Boolean mask of the links (a link table with geometry) a selector matches."""
    kind, pattern = selector.split(":", 1)
    if kind == "area":
        lon_min, lat_min, lon_max, lat_max = (float(v) for v in pattern.split(","))
        area = box(lon_min, lat_min, lon_max, lat_max)
        return np.asarray(links.geometry.intersects(area), dtype=bool)
    if kind == "id":
        column = pd.Series(links.index, index=links.index)
    elif kind in ("system", "status", "kind", "tag"):
        if kind not in links:
            return np.zeros(len(links), dtype=bool)
        column = links[kind]
    else:  # pragma: no cover - rejected when parsing
        return np.zeros(len(links), dtype=bool)
    return np.array([v is not None and fnmatch.fnmatchcase(str(v), pattern) for v in column])
