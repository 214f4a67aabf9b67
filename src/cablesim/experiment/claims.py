"""The study's claims checked from the run's outputs (``claims.csv``).

Each claim of the study's ``[calibration]`` table is computed from what the run produced,
not from its inputs: transit price ratios from the market prices and the delivered prices of
``transit_prices.csv``, the share of intra-focus traffic leaving the region from the routed
traffic of each scenario, and, per capital, how far its market price stands above the cost of
bringing a hub's transit there. Each row names the scenario and year, the measure, the value,
the threshold, whether the claim holds on it and what it rests on.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from cablesim.study import Study

__all__ = ["CLAIM_COLUMNS", "claims_table"]

CLAIM_COLUMNS: tuple[str, ...] = ("claim", "source", "scenario", "year", "measure", "value",
                                  "threshold", "holds", "rests_on")
"""Columns of ``claims.csv``."""


def claims_table(scenarios: pd.DataFrame, prices: pd.DataFrame, *, study: Study,
                 nodes: pd.DataFrame) -> pd.DataFrame:
    """One row per (claim, scenario, measure); see the module docstring."""
    claims = study.claims
    ref, bench = study.settings.price_reference, study.settings.price_benchmark
    rows: list[dict[str, object]] = []
    if ref is None or prices.empty or scenarios.empty:
        return pd.DataFrame(columns=list(CLAIM_COLUMNS))
    source = claims.source
    first = str(scenarios["scenario"].iloc[0])
    year = int(scenarios["year"].iloc[0])
    table = prices[prices["scenario"] == first].set_index("node")

    def name(node: str) -> str:
        return str(nodes.at[node, "name"]) if node in nodes.index else node

    def value(node: str, column: str) -> float:
        if node not in table.index or column not in table.columns:
            return math.nan
        return float(table.at[node, column])

    def basis(node: str) -> str:
        text = table.at[node, "market_basis"] if (node in table.index and "market_basis"
                                                  in table.columns) else ""
        return f"{name(node)}: {text}" if isinstance(text, str) and text else \
            f"{name(node)}: no market price"

    measures = (("market price", "market_usd_per_mbps_month"),
                ("delivered price", "delivered_usd_per_mbps_month"))
    band = claims.reference_over_benchmark
    if bench is not None and band is not None:
        for measure, column in measures:
            ratio = value(ref, column) / value(bench, column)
            rows.append({"claim": f"{name(ref)} transit is {band[0]:g}-{band[1]:g}x "
                         f"{name(bench)}'s", "measure": measure, "value": ratio,
                         "threshold": f"{band[0]:g}-{band[1]:g}",
                         "holds": bool(band[0] <= ratio <= band[1]) if math.isfinite(ratio)
                         else None, "rests_on": f"{basis(ref)}; {basis(bench)}"})
    ref_country = nodes.at[ref, "country"] if ref in nodes.index else None
    factor = claims.focus_capitals_over_reference
    capitals = {c: n for c, n in study.capitals.items()
                if c in study.focus_members and c != ref_country}
    if factor is not None and capitals:
        for measure, column in measures:
            ratios = {c: value(n, column) / value(ref, column) for c, n in capitals.items()}
            known = {c: r for c, r in ratios.items() if math.isfinite(r)}
            over = sorted(c for c, r in known.items() if r > factor)
            rows.append({"claim": f"most {study.focus_label} capitals pay more than "
                         f"{factor:g}x {name(ref)}", "measure": measure,
                         "value": f"{len(over)} of {len(known)} with a price: "
                         + (", ".join(over) or "none"), "threshold": f"> {factor:g}x",
                         "holds": (len(over) > len(known) / 2) if known else None,
                         "rests_on": "; ".join(basis(capitals[c]) for c in sorted(known))
                         or "no capital has a market price"})
    factor = claims.partner_over_reference
    if factor is not None:
        for country in study.partner_members:
            node = study.capitals.get(country)
            if node is None:
                continue
            for measure, column in measures:
                ratio = value(node, column) / value(ref, column)
                rows.append({"claim": f"{name(node)} pays more than {factor:g}x {name(ref)}",
                             "measure": measure, "value": ratio, "threshold": f"> {factor:g}x",
                             "holds": bool(ratio > factor) if math.isfinite(ratio) else None,
                             "rests_on": basis(node)})
    share = claims.intra_leaving_region
    if share is not None and "out_of_region_share" in scenarios.columns:
        for r in scenarios.itertuples(index=False):
            got = float(r.out_of_region_share)
            rows.append({"claim": f"intra-{study.focus_label} traffic is largely routed out of "
                         "the region", "scenario": r.scenario, "year": int(r.year),
                         "measure": "routed traffic", "value": got,
                         "threshold": f"> {share:g}",
                         "holds": bool(got > share) if math.isfinite(got) else None,
                         "rests_on": f"the scenario's exchange policy ({r.policy})"})
    for _country, node in sorted(study.capitals.items()):
        gap = value(node, "market_over_cost")
        if not math.isfinite(gap):
            continue
        rows.append({"claim": f"{name(node)}: market price over the cost of bringing a hub's "
                     "transit there", "measure": "market over cost", "value": gap,
                     "threshold": "", "holds": None,
                     "rests_on": f"{basis(node)}; via {table.at[node, 'via_hub']}"})
    out = pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))
    out["source"] = source
    out["scenario"] = out["scenario"].where(out["scenario"].notna(), first)
    out["year"] = out["year"].where(out["year"].notna(), year).astype(int)
    out["holds"] = out["holds"].astype(object).where(out["holds"].notna(), np.nan)
    return out
