"""Invariants every routing result must satisfy, checked by the library after each run.

The checks are vectorised and cheap next to routing. A violation is a bug in cablesim, not
bad input; it raises :class:`cablesim.InvariantError` naming the scenario and the rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cablesim._errors import InvariantError, Problem

__all__ = ["check_scenario_tables", "ABS_TOL_GBPS", "REL_TOL"]

ABS_TOL_GBPS = 1e-6
"""Absolute tolerance on flows, Gbps (LP solutions are exact only to solver tolerance)."""

REL_TOL = 1e-6
"""Relative tolerance on capacities and the RTT floor."""


def _rows(mask: np.ndarray, labels: pd.Series, limit: int = 5) -> str:
    bad = list(labels[mask].astype(str))[:limit]
    more = int(mask.sum()) - len(bad)
    return ", ".join(bad) + (f" and {more} more" if more > 0 else "")


def check_scenario_tables(scenario: str, pairs: pd.DataFrame, links: pd.DataFrame,
                          capacitated: bool) -> None:
    """Check one scenario's pair and link tables.

    Checks: served + unserved = offered per demand; served, unserved, loads and costs are
    finite and non-negative; in capacitated mode every in-service link carries at most its
    capacity per direction (within solver tolerance); every served pair's RTT is at least
    its fibre great-circle floor.

    Raises
    ------
    InvariantError
        Listing each violated invariant with the offending rows.
    """
    problems: list[Problem] = []
    where = f"scenario {scenario!r}"
    label = pairs["origin"].astype(str) + "->" + pairs["destination"].astype(str)

    def fail(mask: np.ndarray, what: str, labels: pd.Series = label) -> None:
        if mask.any():
            problems.append(Problem(where, None, None, f"{what}: {_rows(mask, labels)}"))

    offered = pairs["offered_gbps"].to_numpy(dtype=float)
    served = pairs["served_gbps"].to_numpy(dtype=float)
    unserved = pairs["unserved_gbps"].to_numpy(dtype=float)
    fail(np.abs(served + unserved - offered) > ABS_TOL_GBPS + REL_TOL * offered,
         "served + unserved differs from offered")
    for name, values in (("served", served), ("unserved", unserved),
                         ("cost", pairs["cost_usd_month"].to_numpy(dtype=float))):
        fail(~np.isfinite(values) | (values < -ABS_TOL_GBPS), f"{name} is negative or not finite")
    rtt = pairs["rtt_ms"].to_numpy(dtype=float)
    floor = pairs["floor_rtt_ms"].to_numpy(dtype=float)
    has = served > 0
    fail(has & ~(rtt >= floor * (1 - REL_TOL)), "RTT below the fibre great-circle floor")
    link_label = links["link"].astype(str)
    loads = links[["load_forward_gbps", "load_reverse_gbps"]].to_numpy(dtype=float)
    fail((~np.isfinite(loads) | (loads < -ABS_TOL_GBPS)).any(axis=1),
         "link load is negative or not finite", link_label)
    off = ~links["in_service"].to_numpy(dtype=bool)
    fail(off & (loads.max(axis=1) > ABS_TOL_GBPS), "out-of-service link carries traffic",
         link_label)
    if capacitated:
        cap = links["capacity_gbps"].to_numpy(dtype=float)
        fail(loads.max(axis=1) > cap * (1 + REL_TOL) + ABS_TOL_GBPS,
             "link load exceeds capacity", link_label)
    if problems:
        raise InvariantError("a result broke the model's invariants (a bug in cablesim; "
                             "please report it)", problems)
