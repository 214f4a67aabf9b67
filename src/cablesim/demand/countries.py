"""The country table: Internet users and other indicators per ISO3 code."""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import pandas as pd

from cablesim._errors import DemandError, Problem, did_you_mean
from cablesim.io.topology import read_csv_text
from cablesim.schema import Column
from cablesim.validation import TableSource, coerce_table

_ISO3 = re.compile(r"^[A-Z]{3}$")


# ---------------------------------------------------------------------- country indicators
def load_country_indicators(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a country indicator table such as ``seeds/country_indicators.csv``.

    Parameters
    ----------
    path : path-like
        CSV file with at least the columns ``country`` (ISO 3166-1 alpha-3) and
        ``internet_users_million`` (Internet users, millions). Other columns are kept, in
        file order: as floats where every non-empty cell is a number, else as text.

    Returns
    -------
    DataFrame
        Indexed by ``country``, in file order.

    Raises
    ------
    DemandError
        Listing every problem (file, line, field): unreadable file, missing columns,
        bad or duplicate country codes, missing, non-numeric or negative user counts.
    """
    name = str(path)
    problems: list[Problem] = []
    raw = read_csv_text(Path(path), problems)
    if raw is None:
        raise DemandError(f"country indicators {name!r} cannot be read", problems)
    columns = (
        Column("country", "str", "ISO 3166-1 alpha-3", True, False, "Country code."),
        Column("internet_users_million", "float", "million people", True, False,
               "Internet users.", min=0.0),
    )
    source = TableSource(name)
    table = coerce_table(raw, columns, source, problems)
    _check_countries(table["country"].tolist(), source, problems)
    if problems:
        raise DemandError(f"country indicators {name!r} are invalid", problems)
    for col in table.columns[2:]:
        table[col] = _maybe_numeric(table[col])
    order = [c for c in raw.columns if c in table.columns]
    return table[order].set_index("country")


def _check_countries(codes: list[object], source: TableSource, problems: list[Problem]) -> None:
    first: dict[str, int] = {}
    for pos, code in enumerate(codes):
        if code is None:
            continue
        if not _ISO3.match(str(code)):
            problems.append(source.problem(
                pos, "country", f"{code!r} is not an ISO 3166-1 alpha-3 code (e.g. SGP)"))
        elif code in first:
            problems.append(source.problem(
                pos, "country", f"duplicate country {code!r} (first at {source.row_label} "
                f"{first[code] + source.first_row})"))
        else:
            first[str(code)] = pos


def _maybe_numeric(values: pd.Series) -> pd.Series:
    """Return ``values`` as floats when every non-empty cell is a number, else unchanged."""
    parsed = []
    for value in values.tolist():
        if value is None:
            parsed.append(math.nan)
            continue
        try:
            parsed.append(float(value))
        except ValueError:
            return values
    return pd.Series(parsed, index=values.index, dtype=float)


def _country_users(countries: pd.DataFrame) -> tuple[dict[str, float], list[Problem]]:
    """Internet users (millions) by country from an indicator table, with problems."""
    problems: list[Problem] = []
    table = countries
    if "country" in table.columns and table.index.name != "country":
        table = table.set_index("country")
    if "internet_users_million" not in table.columns:
        problems.append(Problem("countries", None, "internet_users_million",
                                "required column is missing",
                                did_you_mean("internet_users_million",
                                             [str(c) for c in table.columns])))
        return {}, problems
    users: dict[str, float] = {}
    for pos, (code, value) in enumerate(zip(table.index.tolist(),
                                            table["internet_users_million"].tolist(), strict=True)):
        try:
            x = float(value)
        except (TypeError, ValueError):
            x = math.nan
        if not (math.isfinite(x) and x >= 0):
            problems.append(Problem("countries", pos + 1, "internet_users_million",
                                    f"users of {code!r} must be a finite number >= 0, "
                                    f"got {value!r}", row_label="row"))
            continue
        users[str(code)] = x
    return users, problems




__all__ = ["load_country_indicators"]
