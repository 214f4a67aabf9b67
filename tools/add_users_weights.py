#!/usr/bin/env python3
"""Write ``users_weight`` for the study's city and hub nodes in ``topology/china_asean/nodes.csv``.

Provenance script (committed, not run by CI). Without weights the gravity model splits a
country's Internet users equally over its city and hub nodes, which gave China's four Guangxi
nodes a quarter of China's users (issue 16: Fangchenggang originated more China-ASEAN traffic
than Beijing). The rule, from two cited tables in ``topology/china_asean/calibration/``:

1. Each province's people (``china_province_population.csv``, 2017 resident population)
   belong to the node(s) of that province; a province with several nodes splits its people
   by the nodes' prefecture population (``china_prefecture_population.csv``, 2010 census).
2. A province with no node is given to the nearest (great circle from its capital) of
   Beijing, Shanghai and Guangzhou: until 2024 all of China's international gateways
   (国际通信业务出入口局) were in those three cities (facts-inputs, Nanning gateway row:
   People's Daily Overseas, 18 July 2024), so that is where such a province's international
   traffic met the international network.

Population stands in for Internet users: provincial penetration differs (higher on the
coast) and is not modelled; CNNIC's provincial netizen table was not found as text
(docs/demand.md).

3. The ASEAN countries' city and hub nodes get the 2015 population of their urban
   agglomeration (``asean_city_population.csv``: UN World Urbanization Prospects 2018, File
   12); a city the file lacks takes the latest UN Demographic Yearbook figure there
   (urban agglomeration before city proper): Miri 2010, George Town 2010 (the core city
   only, so Penang is under-weighted). Only the ratios within a country matter.

Run from anywhere: ``python tools/add_users_weights.py``.
"""
from __future__ import annotations

import csv
from pathlib import Path

from cablesim.geo import great_circle_km

ROOT = Path(__file__).resolve().parents[1]
TOPOLOGY = ROOT / "topology" / "china_asean"
CAL = TOPOLOGY / "calibration"

NODE_PROVINCE = {
    "CNBHY": "Guangxi", "CNBJS": "Beijing", "CNCAN": "Guangdong", "CNFAN": "Guangxi",
    "CNFOC": "Fujian", "CNHAK": "Hainan", "CNHRB": "Heilongjiang", "CNKMG": "Yunnan",
    "CNLHW": "Gansu", "CNNNG": "Guangxi", "CNQZH": "Guangxi", "CNSHA": "Shanghai",
    "CNSWA": "Guangdong", "CNTAO": "Shandong", "CNURC": "Xinjiang", "CNZUH": "Guangdong",
}
"""The province of each China city/hub node (administrative fact)."""
NODE_PREFECTURE = {"CNBHY": "Beihai", "CNFAN": "Fangchenggang", "CNNNG": "Nanning",
                   "CNQZH": "Qinzhou", "CNCAN": "Guangzhou", "CNSWA": "Shantou",
                   "CNZUH": "Zhuhai"}
"""The prefecture of each node of a province with several nodes."""
GATEWAYS = ("CNBJS", "CNSHA", "CNCAN")
"""China's international gateway cities until 2024 (facts-inputs; People's Daily 2024)."""



def weights() -> tuple[dict[str, float], dict[str, list[str]]]:
    """Users weight (people) of each node, and the provinces each node stands for."""
    with open(CAL / "china_province_population.csv", newline="", encoding="utf-8") as f:
        provinces = list(csv.DictReader(f))
    with open(CAL / "china_prefecture_population.csv", newline="", encoding="utf-8") as f:
        prefecture = {r["prefecture"]: float(r["population_10k"]) for r in csv.DictReader(f)}
    with open(TOPOLOGY / "nodes.csv", newline="", encoding="utf-8") as f:
        nodes = {r["id"]: r for r in csv.DictReader(f)}
    assert set(NODE_PROVINCE) == {i for i, r in nodes.items()
                                  if r["country"] == "CHN" and r["kind"] in ("city", "hub")}
    out = {node: 0.0 for node in NODE_PROVINCE}
    serves: dict[str, list[str]] = {node: [] for node in NODE_PROVINCE}
    for row in provinces:
        name, people = row["province"], float(row["population"])
        own = [n for n, p in NODE_PROVINCE.items() if p == name]
        if not own:
            lon, lat = float(row["capital_lon"]), float(row["capital_lat"])
            own = [min(GATEWAYS, key=lambda g: great_circle_km(
                lon, lat, float(nodes[g]["lon"]), float(nodes[g]["lat"])))]
        if len(own) == 1:
            shares = {own[0]: 1.0}
        else:
            pops = {n: prefecture[NODE_PREFECTURE[n]] for n in own}
            shares = {n: p / sum(pops.values()) for n, p in pops.items()}
        for node, share in shares.items():
            out[node] += people * share
            serves[node].append(name if share == 1.0 else f"{name} ({100 * share:.0f}%)")
    return out, serves


def asean_weights() -> tuple[dict[str, float], dict[str, str]]:
    """Population (people) of each ASEAN city/hub node and the figure's description."""
    with open(CAL / "asean_city_population.csv", newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["population"]]
    out: dict[str, float] = {}
    what: dict[str, str] = {}
    for r in rows:  # UN WUP 2018 agglomerations, 2015
        if r["year"] == "2015" and "World Urbanization Prospects" in r["source"] \
                and "File 12" in r["source"]:
            out[r["node"]] = float(r["population"])
            what[r["node"]] = "2015 urban agglomeration, UN WUP 2018"
    fallback = sorted((r for r in rows if r["node"] not in out and "Demographic" in r["source"]),
                      key=lambda r: (r["node"], "agglomeration" not in r["note"].lower(),
                                     -int(r["year"])))
    for r in fallback:
        if r["node"] not in out:
            out[r["node"]] = float(r["population"])
            what[r["node"]] = f"{r['year']} population, UN Demographic Yearbook"
    return out, what


def main() -> None:
    weight, serves = weights()
    asean, asean_what = asean_weights()
    path = TOPOLOGY / "nodes.csv"
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    if "users_weight" not in fields:
        fields.insert(fields.index("citation"), "users_weight")
    marker = "; users_weight:"
    for row in rows:
        node = row["id"]
        row["citation"] = row["citation"].split(marker)[0]
        if node in weight:
            row["users_weight"] = f"{weight[node]:.0f}"
            row["citation"] += (f"{marker} people of {', '.join(serves[node])} (2017 resident "
                                "population; calibration/china_province_population.csv; rule "
                                "in tools/add_users_weights.py)")
        elif node in asean and row["kind"] in ("city", "hub"):
            row["users_weight"] = f"{asean[node]:.0f}"
            row["citation"] += (f"{marker} {asean_what[node]} "
                                "(calibration/asean_city_population.csv)")
        else:
            row["users_weight"] = ""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    total = sum(weight.values())
    for node in sorted(weight, key=weight.get, reverse=True):  # type: ignore[arg-type]
        print(f"{node}  {100 * weight[node] / total:5.1f}%  {', '.join(serves[node])}")


if __name__ == "__main__":
    main()
