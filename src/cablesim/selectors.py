"""Link selectors: how experiment, simulation and plan files name groups of links.

A selector is ``id:<link id>``, ``system:<name pattern>``, ``status:<status>``,
``kind:<kind>``, ``tag:<value of an extra 'tag' column>`` (patterns use shell wildcards) or
``area:<lon_min>,<lat_min>,<lon_max>,<lat_max>`` (every link whose route crosses the box).
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from shapely.geometry import box

from cablesim._errors import Problem, did_you_mean

__all__ = ["SELECTOR_KINDS", "parse_selectors", "selector_problem", "is_area", "match_links",
           "match_selectors"]

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
        bad = selector_problem(sel)
        if bad is not None:
            problems.append(Problem(source, None, where, *bad))
    return tuple(value)


def selector_problem(selector: str, *, what: str = "selector") -> tuple[str, str] | None:
    """Why ``selector`` is malformed, as ``(message, hint)``; None when it is well formed.

    Parameters
    ----------
    selector : str
        E.g. ``"system:APG*"`` or ``"area:100,0,120,25"``.
    what : str
        How the message names a selector (``"bad <what> 'x'"``).
    """
    kind = selector.split(":", 1)[0]
    if ":" not in selector or kind not in SELECTOR_KINDS:
        return (f"bad {what} {selector!r}",
                "use id:, system:, status:, kind: or tag: followed by a value or pattern, or "
                "area:lon_min,lat_min,lon_max,lat_max")
    if kind == "area" and not is_area(selector.split(":", 1)[1]):
        return (f"bad area {selector!r}",
                "area:lon_min,lat_min,lon_max,lat_max in degrees, min < max")
    return None


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


def match_selectors(links: pd.DataFrame, selectors: Sequence[str], *, source: str,
                    where: str | None = None, what: str = "selector"
                    ) -> tuple[np.ndarray, list[Problem]]:
    """Check and match a list of selectors (:func:`selector_problem`, :func:`match_links`).

    Parameters
    ----------
    links : DataFrame
        A link table with geometry (e.g. ``network.links``).
    selectors : sequence of str
    source, where : str
        File (or option) and field named by the problems.
    what : str
        How a malformed selector is named (``"bad <what> 'x'"``).

    Returns
    -------
    (ndarray of bool, list of Problem)
        The links matched by any well-formed selector, and one located problem per
        malformed selector or selector matching no link (with a "did you mean" hint from
        the ids or column values, except for areas).
    """
    mask = np.zeros(len(links), dtype=bool)
    problems: list[Problem] = []
    for sel in selectors:
        bad = selector_problem(sel, what=what)
        if bad is not None:
            problems.append(Problem(source, None, where, *bad))
            continue
        hit = match_links(links, sel)
        if not hit.any():
            kind, pattern = sel.split(":", 1)
            hint = None if kind == "area" else did_you_mean(pattern, _choices(links, kind))
            problems.append(Problem(source, None, where, f"selector {sel!r} matches no link",
                                    hint))
        mask |= hit
    return mask, problems


def _choices(links: pd.DataFrame, kind: str) -> list[str]:
    """The values a ``kind:`` selector is matched against (for "did you mean")."""
    if kind == "id":
        return sorted({str(i) for i in links.index})
    if kind not in links:
        return []
    return sorted({str(v) for v in links[kind] if v is not None})
