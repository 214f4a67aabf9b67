"""Transit roles: which countries' networks carry other countries' traffic, for whom.

A study's transit role table (``transit_roles`` in its ``[study]`` table; columns
:data:`TRANSIT_ROLE_COLUMNS`) has one row per country whose networks do not sell transit to
everyone: ``sells_transit_to`` is ``none`` (the country carries only traffic that starts,
ends or is exchanged there, as China's state gateways did until 2024) or the ISO3 codes of
its customer countries (Thailand's CAT selling border capacity to Laos, Cambodia and
Myanmar). A country without a row sells transit to all (the hub markets). Every row names
its source or says ``estimate: how``. :class:`cablesim.policy.TransitRules` applies the
roles when routing.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping

import pandas as pd

from cablesim._errors import Problem, ScenarioError
from cablesim.io.topology import read_csv_table
from cablesim.schema import CONFIDENCE_CLASSES, Column
from cablesim.settings import unknown_key_hint

__all__ = ["TRANSIT_ROLE_COLUMNS", "load_transit_roles", "roles_of"]

TRANSIT_ROLE_COLUMNS: tuple[Column, ...] = (
    Column("country", "str", "ISO 3166-1 alpha-3", True, False, "The country."),
    Column("sells_transit_to", "str", "", True, False, "`none`, or the ISO3 codes of the "
           "countries whose traffic its networks carry across it (space separated); a "
           "country without a row sells to all."),
    Column("operator", "str", "", False, True, "The operator(s) the role is known for."),
    Column("source", "str", "", True, False, "Where the role comes from, or 'estimate: how'."),
    Column("url", "str", "", False, True, "The public address of the source."),
    Column("confidence", "category", "", True, False, "cited, derived or estimate.",
           allowed=CONFIDENCE_CLASSES),
    Column("note", "str", "", False, True, "Caveats."),
)
"""Columns of a transit role table (one row per country)."""


def load_transit_roles(path: str | os.PathLike[str], *,
                       known_countries: Collection[str] | None = None) -> pd.DataFrame:
    """Read a transit role table; every problem located by file, line and field.

    Raises
    ------
    ScenarioError
        Missing columns; a country or customer code that is not ISO3 (or, with
        ``known_countries``, not in the topology, with a hint); a role that is neither
        ``none`` nor codes; a country that sells to itself; two rows for one country (their
        roles would contradict each other).
    """
    problems: list[Problem] = []
    table = read_csv_table(path, TRANSIT_ROLE_COLUMNS, problems)
    if table is None:
        raise ScenarioError(f"transit role table {str(path)!r} cannot be read", problems)
    where = str(path)
    first: dict[str, int] = {}

    def code_problem(line: int, field: str, code: str) -> None:
        if not (len(code) == 3 and code.isalpha() and code.isupper()):
            problems.append(Problem(where, line, field, f"{code!r} is not an ISO 3166-1 "
                                    "alpha-3 code"))
        elif known_countries is not None and code not in known_countries:
            problems.append(Problem(where, line, field, f"unknown country {code!r}: no node "
                                    "of the topology is in it",
                                    unknown_key_hint(code, known_countries)))

    for line, (country, sells) in enumerate(zip(table["country"], table["sells_transit_to"],
                                                strict=True), start=2):
        if not isinstance(country, str) or not isinstance(sells, str):
            continue
        code_problem(line, "country", country)
        if country in first:
            problems.append(Problem(where, line, "country", f"{country!r} has a second row "
                                    f"(first on line {first[country]}): its roles would "
                                    "contradict each other", "keep one row per country"))
        first.setdefault(country, line)
        words = sells.split()
        if sells.strip().lower() in ("none", "all"):
            if sells.strip().lower() == "all":
                problems.append(Problem(where, line, "sells_transit_to", "'all' is the "
                                        "default", "leave the country out of the table"))
            continue
        if not words:
            problems.append(Problem(where, line, "sells_transit_to", "is empty",
                                    "write none, or the customer countries' ISO3 codes"))
        for code in words:
            code_problem(line, "sells_transit_to", code)
            if code == country:
                problems.append(Problem(where, line, "sells_transit_to",
                                        f"{country} cannot sell transit to itself"))
    if problems:
        raise ScenarioError(f"transit role table {where!r} is invalid", problems)
    return table


def roles_of(table: pd.DataFrame) -> Mapping[str, frozenset[str]]:
    """Country to the countries it sells transit to (empty: none) from a loaded table."""
    return {str(c): (frozenset() if str(s).strip().lower() == "none"
                     else frozenset(str(s).split()))
            for c, s in zip(table["country"], table["sells_transit_to"], strict=True)}
