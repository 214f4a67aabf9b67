"""Add the stated length of each submarine system to a topology's links.csv.

Provenance script (not run by CI: it reads the TeleGeography snapshot in ../shared, which is
not part of the repository). For every link with a ``tg_cable_id``, the column
``system_length_km`` gets TeleGeography's stated ``length`` of the whole system (e.g.
"36,500 km" for EAC-C2C), so that the latency model can scale the system's drawn segments to
it (``[latency] stated_lengths``; docs/latency.md). Links of systems without a stated length
keep an empty cell, and so do the links of a system that the topology holds only in part (their
``citation`` says ``part of the system``, as tools/derive_china_asean.py writes for SAFE): the
stated length is the whole system's, and scaling the part to it would stretch the part. Run from
the repository root:

    python tools/add_system_lengths.py ../shared/data/telegeography-2021 topology/china_asean
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd

COLUMN = "system_length_km"
PARTIAL = "part of the system"


def stated_length_km(cable_file: Path) -> float | None:
    """TeleGeography's stated system length, km (None when absent or unparseable)."""
    if not cable_file.is_file():
        return None
    text = json.loads(cable_file.read_text(encoding="utf-8")).get("length") or ""
    match = re.match(r"\s*([\d,.]+)\s*km", text)
    return float(match.group(1).replace(",", "")) if match else None


def main(snapshot: Path, topology: Path) -> int:
    links_file = topology / "links.csv"
    links = pd.read_csv(links_file, dtype=str, keep_default_na=False)
    lengths = {cable: stated_length_km(snapshot / "cable" / f"{cable}.json")
               for cable in sorted(set(links["tg_cable_id"]) - {""})}
    partial = (links["citation"].str.contains(PARTIAL, regex=False) if "citation" in links.columns
               else pd.Series(False, index=links.index))
    values = [("" if lengths.get(c) is None or part else f"{lengths[c]:g}") if c else ""
              for c, part in zip(links["tg_cable_id"], partial, strict=True)]
    if COLUMN in links.columns:
        links[COLUMN] = values
    else:
        links.insert(links.columns.get_loc("length_km") + 1, COLUMN, values)
    links.to_csv(links_file, index=False, lineterminator="\n")
    found = sum(v is not None for v in lengths.values())
    print(f"{links_file}: stated lengths of {found} of {len(lengths)} systems")
    cut = sorted(set(links.loc[partial.to_numpy(dtype=bool), "tg_cable_id"]) - {""})
    if cut:
        print(f"  left empty, modelled only in part: {', '.join(cut)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
