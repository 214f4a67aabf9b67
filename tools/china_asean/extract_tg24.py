"""Extract the few cables the 2021 TeleGeography data lacks from the March 2024
TeleGeography snapshot ([TG24] in shared/research/facts-inputs.md: GitHub
sudorandom/submarine-cable-map, commit ad496c6, data/submarinecables.old/).

Writes tools/china_asean/tg24_extract.json: for each cable its TG slug, name,
stated length, RFS, planned flag, landing points (TG slug, name, lon/lat from
TG24 landing-point-geo.json) and route geometry rounded to 4 decimals.
Only these four cables are kept; the data is (c) TeleGeography, CC BY-NC-SA 3.0.

Usage: python tools/china_asean/extract_tg24.py <checkout of sudorandom/submarine-cable-map>
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

CABLES = ["haikou-beihai-cable", "cambodia-hong-kong", "asia-link-cable-alc", "sea-h2x"]
OUT = Path(__file__).resolve().parent / "tg24_extract.json"


def main(root: str) -> None:
    base = Path(root) / "data" / "submarinecables.old"
    lp = {f["properties"]["id"]: f for f in json.loads((base / "landing-point" / "landing-point-geo.json").read_text())["features"]}
    geo = {}
    for f in json.loads((base / "cable" / "cable-geo.json").read_text())["features"]:
        geo.setdefault(f["properties"]["id"], []).extend(f["geometry"]["coordinates"])
    out = {"source": "[TG24] TeleGeography Submarine Cable Map data as of March 2024, mirrored in "
                     "GitHub sudorandom/submarine-cable-map commit ad496c6, data/submarinecables.old/; "
                     "(c) TeleGeography, CC BY-NC-SA 3.0",
           "cables": []}
    for slug in CABLES:
        c = json.loads((base / "cable" / f"{slug}.json").read_text())
        lands = []
        for link in c["landing_points"]:
            lon, lat = lp[link["id"]]["geometry"]["coordinates"]
            lands.append({"id": link["id"], "name": link["name"], "lon": round(lon, 4), "lat": round(lat, 4)})
        out["cables"].append({
            "id": slug, "name": c["name"], "length": c["length"], "rfs": c["rfs"],
            "is_planned": c["is_planned"], "landing_points": lands,
            "coordinates": [[[round(x, 4), round(y, 4)] for x, y in ls] for ls in geo[slug]],
        })
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
