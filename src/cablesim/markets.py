"""Local IP transit markets: each city's cited transit price, brought to a year.

A study's ``[markets]`` table names a price table (``prices``, columns
:data:`TRANSIT_PRICE_COLUMNS`: one cited figure a row, a city node, a year, a port class, a
statistic and a source) and the rules that make one *vintage* per year from it
(:class:`MarketModel`): the figure of a city nearest the year (a median, an approximate median
or a quoted figure; bounds and lowest quotes are kept for the record), expressed per 10GigE
port, and moved to the year by the cited price declines. :func:`market_prices` gives each
city's market price with its basis and confidence; the delivered transit price of a city is
then the lower of that market price and a hub's market price plus the transport to it
(:func:`cablesim.experiment.tables.delivered_transit_prices`), with the binding term reported.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import pandas as pd

from cablesim._errors import Problem, ScenarioError
from cablesim.io.topology import read_csv_table
from cablesim.schema import MAX_USD_PER_MBPS_MONTH, Column
from cablesim.settings import setting, unknown_key_hint

__all__ = ["TRANSIT_PRICE_COLUMNS", "MARKET_STATISTICS", "MarketModel", "Markets",
           "load_transit_prices", "market_prices", "transit_prices_for_year"]

PORTS = ("GigE", "10GigE", "intl_bandwidth")
MARKET_STATISTICS = ("median", "approx_median", "quoted")
"""Statistics that stand for a market's price; the others (``lowest``, ``exceeds``,
``upper_bound``, ``median_upper_bound``) are bounds, kept for the record."""

TRANSIT_PRICE_COLUMNS: tuple[Column, ...] = (
    Column("city", "str", "node id", True, False, "The city (a node of the topology)."),
    Column("country", "str", "", False, True, "Country as the source gives it."),
    Column("year", "int", "year", True, False, "The year of the figure.", min=1990,
           max=2100),
    Column("quarter", "str", "", False, True, "Quarter, where the source gives it."),
    Column("port", "category", "", True, False, "GigE or 10GigE (a committed port), or "
           "intl_bandwidth (a country-level wholesale price, port not stated).",
           allowed=PORTS),
    Column("usd_per_mbps_month", "float", "USD per Mbps per month", True, False,
           "The price.", min=0.0, min_exclusive=True, max=MAX_USD_PER_MBPS_MONTH),
    Column("statistic", "str", "", True, False, "median, approx_median, quoted, lowest, "
           "exceeds, upper_bound or median_upper_bound."),
    Column("source", "str", "", True, False, "Where the figure comes from."),
    Column("url", "str", "", False, True, "The public address of the source."),
    Column("note", "str", "", False, True, "Caveats."),
    Column("scope", "category", "", False, True, "market: a city of the topology; "
           "reference: a city outside it, kept as evidence of trends.", default="market",
           allowed=("market", "reference")),
)
"""Columns of a transit price table."""


@dataclass(frozen=True)
class MarketModel:
    """The ``[markets]`` table of a study: its transit price table and vintage rules."""

    prices: str | None = setting(None, doc="Cited transit prices by city and year (CSV, "
                                 "relative to the study file; cablesim.markets).")
    per_10g_over_gige: float = setting(
        0.42, low=0.0, low_open=True, high=1.0, doc="Price of a 10GigE port over a GigE "
        "port in the same city and year (derived: Hong Kong 2013, US$7.00 over US$16.49, "
        "TeleGeography; the one city with both in one year).")
    decline_to_2015: float = setting(
        0.14, low=0.0, high=0.9, unit="per year", doc="Fall of transit prices per year up "
        "to 2015 (TeleGeography: 10GigE -14% a year on average 2012-2015).")
    proxies: Mapping[str, str] = setting(
        default_factory=dict, doc="Node id to the node whose market price it takes where it "
        "has no cited price of its own (an estimate; the reason goes in the study file).")
    decline_after_2015: float = setting(
        0.27, low=0.0, high=0.9, unit="per year", doc="Fall of transit prices per year "
        "after 2015 (TeleGeography: 10GigE -27% a year on average 2015-2018).")


@dataclass(frozen=True)
class Markets:
    """A study's market model with its price table loaded."""

    model: MarketModel = field(default_factory=MarketModel)
    table: pd.DataFrame | None = field(default=None, compare=False, repr=False)


def load_transit_prices(path: str | os.PathLike[str], *,
                        known_nodes: Collection[str] | None = None) -> pd.DataFrame:
    """Read a transit price table; every problem located by file, line and field.

    Raises
    ------
    ScenarioError
        Missing columns or values (a missing year), a price that is not positive, a port
        or statistic not known, or (with ``known_nodes``) a ``market`` city that is not a
        node of the topology, with a did-you-mean hint.
    """
    problems: list[Problem] = []
    table = read_csv_table(path, TRANSIT_PRICE_COLUMNS, problems)
    if table is None:
        raise ScenarioError(f"transit price table {str(path)!r} cannot be read", problems)
    allowed = set(MARKET_STATISTICS) | {"lowest", "exceeds", "upper_bound",
                                        "median_upper_bound"}
    scope = table["scope"] if "scope" in table.columns else pd.Series("market",
                                                                      index=table.index)
    for line, (city, statistic, kind) in enumerate(zip(table["city"], table["statistic"],
                                                       scope, strict=True), start=2):
        if isinstance(statistic, str) and statistic not in allowed:
            problems.append(Problem(str(path), line, "statistic", f"unknown statistic "
                                    f"{statistic!r}", unknown_key_hint(statistic, allowed)))
        if (known_nodes is not None and isinstance(city, str) and kind != "reference"
                and city not in known_nodes):
            problems.append(Problem(str(path), line, "city", f"unknown city {city!r}: not a "
                                    "node of the topology", unknown_key_hint(city, known_nodes)
                                    or "mark the row scope = reference"))
    if problems:
        raise ScenarioError(f"transit price table {str(path)!r} is invalid", problems)
    return table


def _moved(price: float, from_year: int, to_year: int, model: MarketModel) -> float:
    """A price moved from one year to another by the cited declines."""
    factor = 1.0
    lo, hi = sorted((from_year, to_year))
    for y in range(lo, hi):
        rate = model.decline_to_2015 if y < 2015 else model.decline_after_2015
        factor *= 1.0 - rate
    return price * factor if to_year >= from_year else price / factor


def market_prices(table: pd.DataFrame, year: int, model: MarketModel) -> pd.DataFrame:
    """Each city's market price in ``year``, USD per Mbps per month (10GigE-equivalent).

    Per city, the ``market`` figure with a market statistic nearest the year (the later on a
    tie; the median of that year's figures), a GigE price times ``per_10g_over_gige``, moved
    to ``year`` by the declines. A figure of the year itself and of a 10GigE or national
    port is *cited*; one converted or moved is *derived*.

    Returns
    -------
    DataFrame
        ``node, market_usd_per_mbps_month, market_year, market_port, market_basis,
        market_confidence``.
    """
    rows = table[table["statistic"].isin(MARKET_STATISTICS)]
    if "scope" in rows.columns:
        rows = rows[rows["scope"].fillna("market") != "reference"]
    out = []
    for city, own in rows.groupby("city", sort=True):
        distance = (own["year"] - year).abs() * 2 + (own["year"] < year)
        best = own[distance == distance.min()]
        y = int(best["year"].iloc[0])
        prices = []
        ports = sorted(set(best["port"]))
        for port, price in zip(best["port"], best["usd_per_mbps_month"], strict=True):
            prices.append(float(price) * (model.per_10g_over_gige if port == "GigE" else 1.0))
        value = _moved(float(pd.Series(prices).median()), y, year, model)
        converted = "GigE" in ports
        basis = (f"{'/'.join(ports)} {y}" + (" per 10GigE" if converted else "")
                 + ("" if y == year else f" moved to {year} by the cited declines"))
        out.append({"node": city, "market_usd_per_mbps_month": value, "market_year": y,
                     "market_port": "/".join(ports), "market_basis": basis,
                     "market_confidence": "cited" if y == year and not converted
                     else "derived"})
    have = {str(r["node"]): r for r in out}
    for node, proxy in sorted(model.proxies.items()):
        if node not in have and proxy in have:
            row = dict(have[proxy])
            basis = f"estimate: {proxy}'s market ({row['market_basis']})"
            row.update(node=node, market_basis=basis, market_confidence="estimate")
            out.append(row)
    return pd.DataFrame(out, columns=["node", "market_usd_per_mbps_month", "market_year",
                                      "market_port", "market_basis", "market_confidence"])


def transit_prices_for_year(nodes: pd.DataFrame, markets: Markets, year: int, *,
                            market: pd.DataFrame | None = None
                            ) -> tuple[pd.Series, pd.Series]:
    """Transit price (USD per Mbps per month) and its confidence class per node in ``year``:
    the market price of the year where there is one (:func:`market_prices`, or ``market``
    when already computed), else the topology's ``transit_price_usd_per_mbps_month`` and
    ``transit_price_confidence``."""
    price = nodes["transit_price_usd_per_mbps_month"].astype(float).copy()
    level = (nodes["transit_price_confidence"].astype(object).copy()
             if "transit_price_confidence" in nodes.columns
             else pd.Series("estimate", index=nodes.index, dtype=object))
    level = level.where(price.notna(), None)
    if market is None and markets.table is not None:
        market = market_prices(markets.table, year, markets.model)
    if market is not None:
        m = market.set_index("node")
        m = m[m.index.isin(nodes.index)]
        price.loc[m.index] = m["market_usd_per_mbps_month"].astype(float)
        level.loc[m.index] = m["market_confidence"]
    return price, level
