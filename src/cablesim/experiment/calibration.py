"""A study's transit-price claims checked on delivered transit prices.

For China-ASEAN the claims are the seed report's (Singapore 2-5x London; most ASEAN capitals
and China over 2x Singapore), declared in the study file's ``[calibration]`` table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cablesim.study import Study

__all__ = ["price_calibration"]


def price_calibration(prices: pd.DataFrame, scenario: str, *, study: Study,
                      nodes: pd.DataFrame) -> dict[str, Any]:
    """Check the study's price claims on the delivered transit prices of one scenario.

    Parameters
    ----------
    prices : DataFrame
        The ``transit_prices`` table (``scenario, node, delivered_usd_per_mbps_month``).
    scenario : str
        The scenario checked (the experiment's first).
    study : Study
        Its ``[calibration]`` claims, price reference and benchmark nodes, capitals and
        focus and partner groups.
    nodes : DataFrame
        The topology's nodes (for names in the claims).

    Returns
    -------
    dict
        ``scenario``, ``checks`` (claim, value, holds), ``ratios_to_reference`` (capital
        country to ratio), ``verdict`` (``reproduced``, ``not reproduced`` or
        ``not checked``) and ``why``.
    """
    claims = study.claims
    ref, bench = study.settings.price_reference, study.settings.price_benchmark
    table = prices[prices["scenario"] == scenario] if len(prices) else prices
    verdict: dict[str, Any] = {"scenario": scenario, "checks": []}

    labels = dict(zip((ref, bench), study.settings.price_names, strict=False))

    def name(node: str | None) -> str:
        if node in labels:
            return labels[node]
        return str(nodes.at[node, "name"]) if node in nodes.index else str(node)

    if ref is None or (claims.reference_over_benchmark is None and bench is not None):
        verdict["verdict"] = "not checked"
        verdict["why"] = "the study names no price reference or no claims ([calibration])"
        return verdict
    if table.empty or not (table["node"] == ref).any() or (
            bench is not None and not (table["node"] == bench).any()):
        verdict["verdict"] = "not checked"
        verdict["why"] = (f"{name(ref)} ({ref})" + (f" and {name(bench)} ({bench}) must both"
                                                     if bench else " must")
                          + " have delivered prices")
        return verdict
    by_node = table.set_index("node")["delivered_usd_per_mbps_month"]
    source = f" ({claims.source})" if claims.source else ""
    band = claims.reference_over_benchmark
    if bench is not None and band is not None:
        value = float(by_node[ref] / by_node[bench])
        verdict["checks"].append({
            "claim": f"{name(ref)} transit is {band[0]:g}-{band[1]:g}x {name(bench)}'s{source}",
            "value": value, "holds": bool(band[0] <= value <= band[1])})
    ref_country = nodes.at[ref, "country"] if ref in nodes.index else None
    capitals = [(c, n) for c, n in study.capitals.items()
                if c != ref_country and n in by_node.index]
    ratios = {c: float(by_node[n] / by_node[ref]) for c, n in capitals}
    factor = claims.focus_capitals_over_reference
    if factor is not None:
        focus = {c: r for c, r in ratios.items() if c in study.focus_members}
        over = sorted(c for c, r in focus.items() if r > factor)
        verdict["checks"].append({
            "claim": f"most {study.focus_label} capitals pay more than {factor:g}x "
                     f"{name(ref)}{source}",
            "value": f"{len(over)} of {len(focus)} capitals above {factor:g}x: "
                     f"{', '.join(over) or 'none'}",
            "holds": bool(focus) and len(over) > len(focus) / 2})
    factor = claims.partner_over_reference
    if factor is not None and study.settings.partner:
        for country in study.partner_members:
            if country in ratios:
                verdict["checks"].append({
                    "claim": f"{study.groups[study.settings.partner].name} pays more than "
                             f"{factor:g}x {name(ref)}{source}",
                    "value": ratios[country], "holds": bool(ratios[country] > factor)})
    verdict["ratios_to_reference"] = ratios
    holds = all(c["holds"] for c in verdict["checks"])
    verdict["verdict"] = "reproduced" if holds else "not reproduced"
    if not holds:
        verdict["why"] = (
            "delivered price = the lower of a city's local market price and a hub's market "
            "price plus the leased transport to it; a buyer in a dear market could bring a "
            "hub's transit in over the leased routes for much less than its market price "
            "(transit_prices.csv market_over_cost: about 19x in Phnom Penh, Vientiane and "
            "Yangon), so the delivered price is the hub's plus transport. What keeps market "
            "prices up (state gateways, cross-border and gateway premiums, small volumes) is "
            "not in the model yet")
    return verdict
