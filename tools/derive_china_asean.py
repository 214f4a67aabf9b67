#!/usr/bin/env python3
"""Derive the cited China-ASEAN topology folder ``topology/china_asean/``.

Provenance script (committed, not run by CI). It reads

* ``../shared/data/telegeography-2021/`` -- TeleGeography public cable map data,
  API v2, June 2021 ([TG21]; (c) TeleGeography, CC BY-NC-SA 3.0),
* ``tools/china_asean/tg24_extract.json`` -- four cables that [TG21] lacks, cut
  from the March 2024 TeleGeography snapshot ([TG24]) by ``extract_tg24.py``,
* ``tools/china_asean/places.csv`` -- hubs, cities and border junctions with
  GeoNames coordinates ([GN]), written by ``make_places.py``,
* ``../shared/data/natural-earth/countries-50m.json`` -- to tell whether an
  inferred branching unit lies on land (then it gets that country),

plus the hand-curated tables below (capacities, costs, land routes, prices),
each row carrying its source from ``shared/research/facts-inputs.md`` (section
numbers such as A1.2 refer to that file). It writes ``nodes.csv``,
``links.csv``, ``geometry.geojson`` and ``SOURCES.md``.

Run from anywhere: ``python tools/derive_china_asean.py``; then ``tools/add_system_lengths.py``,
``tools/add_users_weights.py`` and ``tools/add_confidence.py``, which add columns this script
does not write (``system_length_km``; ``users_weight``; ``capacity_confidence`` and
``price_confidence``). Its [TG24] input ``tools/china_asean/tg24_extract.json`` is not
committed (TeleGeography data): ``extract_tg24.py`` re-creates it from a checkout of
sudorandom/submarine-cable-map.
"""
from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import networkx as nx
from pyproj import Geod
from shapely.geometry import LineString

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
TG21 = SHARED / "data" / "telegeography-2021"
NATURAL_EARTH = SHARED / "data" / "natural-earth" / "countries-50m.json"
HERE = ROOT / "tools" / "china_asean"
OUT = ROOT / "topology" / "china_asean"

GEOD = Geod(ellps="WGS84")
FACTS = "facts-inputs"  # shared/research/facts-inputs.md

# --------------------------------------------------------------------------------------
# Estimate rules (every estimate in the output names one of these)
# --------------------------------------------------------------------------------------
DEFAULT_ROUTE_FACTOR = 1.3
ROUTE_FACTOR_CITE = ("facts-inputs A6: shortest conduit paths give a median inflation ~1.3, Bozkurt et al.; "
                     "real routes 1.2-1.4 x great circle")
SIMPLIFY_TOL_DEG = 0.05
LENGTH_SCALE_THRESHOLD = 0.15
SNAP_TOL_DEG = 0.12      # landing point -> geometry vertex/edge
JOIN_TOL_DEG = 0.05      # line end -> line end / line interior
MIN_LINK_KM = 0.1        # nominal length for links between co-located stations
METRO_MAX_KM = 100.0     # landing <-> city links up to this great-circle distance are 'metro'

# Submarine capacity by RFS era when no design figure is public (A1.2 anchors).
ERA_CAPACITY = [
    (2010, 2880.0, "RFS <= 2010: 2.88 Tbps, AAG's 2009 design figure on its largest segments (A1.2)"),
    (2014, 15000.0, "RFS 2011-2014: 15 Tbps, ASE 2012 design (A1.2; SJC 2013: 17 Tbps)"),
    (2018, 24000.0, "RFS 2015-2018: 24 Tbps, SeaMeWe-5 2016 design (A1.2; SEA-US 2017: 20 Tbps)"),
    (9999, 144000.0, "RFS >= 2019: 144 Tbps, PLCN/ALC design (A1.2; SJC2 126, ADC 140-160 Tbps)"),
]


def era_capacity(rfs: int | None) -> tuple[float, str]:
    for last, cap, why in ERA_CAPACITY:
        if rfs is not None and rfs <= last:
            return cap, why
    return ERA_CAPACITY[-1][1], ERA_CAPACITY[-1][2]


# Short regional systems of the 100G era: the cited short-system anchor is MCT (A1.2).
SHORT_SYSTEM_KM = 2500.0
SHORT_SYSTEM_GBPS = 30000.0
SHORT_SYSTEM_CITE = ("regional system shorter than 2,500 km with RFS >= 2015: 30 Tbps, the design of MCT "
                     "(1,300 km, 2017, A1.2), the only cited short regional system of that era")

NONBINDING_BACKBONE_GBPS = 100000.0
NONBINDING_CITE = ("estimate: 100 Tbps, national/metro backbone assumed non-binding (no public "
                   "figure; China Mobile International alone reports >150 Tbps international, A7)")
MAJOR_XB_GBPS = 2500.0
MAJOR_XB_CITE = ("estimate: 2.5 Tbps per route = Vietnam's two land routes (to HK and SG) carrying "
                 "5 Tbps in 2024 (A2.1/A7, vietnam.vn), split evenly")
CN_VN_XB_GBPS = 830.0
CN_VN_XB_CITE = ("estimate: 830 Gbps = the HK-bound half (2.5 Tbps) of Vietnam's 5 Tbps land capacity "
                 "(2024, A2.1 vietnam.vn) split over the three China-Vietnam crossings")
THIN_XB_GBPS = 30.0
THIN_XB_CITE = ("estimate: 30 Gbps = Cambodia's 60 Gbps international bandwidth at end-2014, then carried "
                "on its two land routes to Vietnam and Thailand (A2.1/A7, Huawei Marine MCT case study); "
                "applied to the other Laos/Cambodia GMS links (no figure found, C2)")
EURASIA_200_CITE = ("estimate: 200 Gbps, the only recent cited initial capacity of a trans-Eurasian land "
                    "route (Beeline China-Mongolia-Russia, A2.2); China-Kazakhstan capacity not found (C2)")
TEA_TRUNK_GBPS = 700.0
TEA_TRUNK_CITE = ("estimate: 700 Gbps = sum of the cited China-Russia/Mongolia border links feeding the "
                  "trunk (Heihe-Blagoveshchensk 300 G design + MTS 100 G, Manzhouli-Zabaikalsk 100 G, "
                  "Mongolia 200 G; A2.2); TEA itself is cited only as a 10G-upgraded SDH ring (2011-12)")

# Aggregate transatlantic link London-New York (E20). It stands for the [TG21] systems that join the United
# Kingdom to New York/New Jersey (listed in its citation), so that Europe-Asia traffic can reroute across the
# Atlantic and the US when the Suez/Red Sea route is cut, as in 2008 (A5.3). Existing, RFS empty (date
# unknown: an aggregate of systems in service since 1998-2003); length great circle x 1.3 (A6); capacity
# non-binding like the hub backbones (E6); price from B3's London-New York quote (rate class 'transatlantic').
TRANSATLANTIC = {
    "key": "atl-agg", "system": "Transatlantic cables (aggregate)", "a": "GBLON", "b": "USNYC",
    "us_landings": (", NY, United States", ", NJ, United States"), "eu_landings": (", United Kingdom",),
    "route_slug": "yellow",  # drawn along this member's [TG21] route (Bude-Bellport), a representative path
    "purpose": ("added so that Europe-Asia traffic can reroute across the Atlantic and the US when the "
                "Suez/Red Sea route is cut, as in Jan-Feb 2008 (A5.3: traffic rerouted across the Pacific "
                "and Atlantic)"),
}
TRANSATLANTIC_GBPS = NONBINDING_BACKBONE_GBPS
TRANSATLANTIC_CITE = ("estimate: 100 Tbps for the aggregate, assumed non-binding like the hub backbones (E6); "
                      "no transatlantic capacity figure in facts-inputs")

# Capex rates for proposed builds (A4).
CAPEX_SUB_USD_PER_KM = 60000.0
CAPEX_SUB_CITE = ("estimate: US$60,000/km x length, the Cambodia-Hong Kong cable's derived cost per km "
                  "(RMB 1.16 bn / 2,715 km, A4.1), the closest Chinese-built regional analogue")
CAPEX_LAND_USD_PER_KM = 33000.0
CAPEX_LAND_CITE = ("estimate: US$33,000/km x length, CMI China-Myanmar cost per km incl. 80x10G DWDM "
                   "(US$50 M / 1,500 km, A4.2)")
PROPOSED_SUB_GBPS = 144000.0

# --------------------------------------------------------------------------------------
# Prices (B3): all link prices are at a Q2-2014 price level, the date of most B3 quotes
# --------------------------------------------------------------------------------------
# Year-on-year factors to move a quote to Q2 2014 (B3 global trends): -22 %/yr for 10G
# on key routes Q2 2011->Q2 2014 (dri-korea), assumed to 2016, then -14 %/yr since 2016
# (TeleGeography blog, 'converging').
F_2014_TO_2021 = 0.78 ** 2 * 0.86 ** 5
F_2012Q1_TO_2014Q2 = 0.78 ** 2.25
PRICE_REF = {  # GeoNames coordinates (lon, lat) for quote end cities not in the graph
    "Mumbai": (72.8826, 19.0728),  # [GN] GeoNames id 1275339
}


@dataclass
class RateClass:
    name: str
    per_km: float
    cite: str


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2] / 1000.0


def price_classes(places: dict) -> dict[str, RateClass]:
    def xy(k):
        if k in PRICE_REF:
            return PRICE_REF[k]
        p = places[k]
        return (p["lon"], p["lat"])

    def make(name, usd_month, wave_gbps, a, b, factor, how):
        per_mbps = usd_month * factor / (wave_gbps * 1000.0)
        route = great_circle_km(xy(a), xy(b)) * DEFAULT_ROUTE_FACTOR
        per_km = per_mbps / route
        cite = (f"price estimate: {how} = US${per_mbps:.4f}/Mbps/month over {route:,.0f} km "
                f"(great circle x 1.3) -> US${per_km:.3e}/Mbps/month/km (Q2-2014 level) x length")
        return RateClass(name, per_km, cite)

    return {
        "intra_asia": make("intra_asia", 16042, 10, "HKHKG", "JPTYO", 1.0,
                           "B3 Hong Kong-Tokyo 10G wave US$16,042/month (Q2 2014, dri-korea)"),
        "transpacific": make("transpacific", 16000, 10, "USLAX", "JPTYO", 1.0,
                             "B3 Los Angeles-Tokyo 10G wave US$16,000/month (Q2 2014, dri-korea)"),
        "transatlantic": make("transatlantic", 8000, 10, "GBLON", "USNYC", 1.0,
                              "B3 London-New York 10G wave US$8,000/month (Q2 2014, dri-korea)"),
        "asia_europe": make("asia_europe", 175000, 10, "GBLON", "Mumbai", F_2012Q1_TO_2014Q2,
                            "B3 London-Mumbai 10G wave ~US$175,000/month (Q1 2012, telecomasia) "
                            "x 0.78^2.25 (B3 trend -22%/yr) to Q2 2014"),
        "terrestrial": make("terrestrial", 724, 10, "GBLON", "DEFRA", 1.0 / F_2014_TO_2021,
                            "B3 Frankfurt-London 10G wave US$724/month (c. 2020-21, TeleGeography blog) "
                            "/ (0.78^2 x 0.86^5) (B3 trends -22%/yr to 2016, -14%/yr since) back to Q2 2014"),
    }


def submarine_class(a: tuple[float, float], b: tuple[float, float]) -> str:
    lons = (a[0], b[0])
    # the Pacific: east of 144E (Guam, Japan's Pacific coast) or the Americas (west of 100W);
    # Atlantic Europe (between 30W and 0) belongs to the Asia-Europe systems' rate
    if any(x >= 144.0 or x <= -100.0 for x in lons):
        return "transpacific"
    if all(x < 80.0 for x in lons):
        return "asia_europe"
    return "intra_asia"


# --------------------------------------------------------------------------------------
# Submarine systems (A1.1 register, A1.2 capacities and costs)
# --------------------------------------------------------------------------------------
@dataclass
class System:
    slug: str
    short: str
    name: str
    rfs: int | None
    status: str = "existing"
    cap: float | None = None          # announced design capacity, Gbps
    cap_cite: str = ""
    capex: float | None = None
    capex_cite: str = ""
    rfs_cite: str = ""
    source: str = "TG21"              # TG21 | TG24
    seg_cap: str | None = None        # special per-segment rule
    keep: tuple[str, ...] = ()        # only part of the system: the landings kept (see PARTIAL_CITE)


W = "facts-inputs A1.2"
SYSTEMS = [
    System("seamewe-3", "smw3", "SeaMeWe-3", 1999, cap=4600,
           cap_cite=f"4.6 Tbps after the 2015 upgrade, {W} (Wikipedia mirror gateway.ipfs.cybernode.ai SEA-ME-WE_3)"),
    System("seamewe-4", "smw4", "SeaMeWe-4", 2005, cap=4600,
           cap_cite=f"4.6 Tbps (2015), {W} (https://en.wikipedia.org/wiki/SEA-ME-WE_4)",
           capex=500e6, capex_cite="~US$500 M, A1.2/A4.1 (grokipedia, low confidence)"),
    System("seamewe-5", "smw5", "SeaMeWe-5", 2016, cap=24000,
           cap_cite=f"24 Tbps, {W} (theregister 2014-09-25; GCR quotes 38 Tbps, C1)"),
    System("asia-america-gateway-aag-cable-system", "aag", "Asia-America Gateway (AAG)", 2009,
           cap_cite=f"{W}: 2.88 Tbps on US-HI and HK-SEA segments, 1.92 Tbps HI-HK (worldheritage.org AAG); "
                    "1.92 Tbps design at launch (fiercewireless)",
           capex=500e6, capex_cite="US$500 M, A1.2 (fiercewireless)", seg_cap="aag"),
    System("asia-pacific-gateway-apg", "apg", "Asia Pacific Gateway (APG)", 2016, cap=54800,
           cap_cite=f"54.8 Tbps design (2011 C&MA), {W} (submarinenetworks.com APG C&MA)",
           capex=450e6, capex_cite="US$450 M, A1.2 (ctamericas.com)"),
    System("asia-africa-europe-1-aae-1", "aae1", "Asia Africa Europe-1 (AAE-1)", 2017, cap=40000,
           cap_cite=f">=40 Tbps, {W} (vietnamnet.vn Viettel AAE-1)",
           capex=820e6, capex_cite="~US$820 M, A1.2 (vietnamnet.vn)"),
    System("apcn-2", "apcn2", "APCN-2", 2001),
    System("southeast-asia-japan-cable-sjc", "sjc", "Southeast Asia-Japan Cable (SJC)", 2013, cap=17000,
           cap_cite=f"17 Tbps (2009 plan, upgradable to 23), {W} (telecomasia.net; 28 Tbps secondary, C1)",
           capex=400e6, capex_cite="US$400 M (SingTel 2009; Globe: ~US$500 M, C1), A1.2"),
    System("southeast-asia-japan-cable-2-sjc2", "sjc2", "Southeast Asia-Japan Cable 2 (SJC2)", 2024,
           cap=126000, cap_cite=f">126 Tbps at RFS (7 FP x 18 Tbps), {W} (samenacouncil; 144 Tbps 2018 plan, C1)",
           rfs_cite="RFS 2024 Q4 [TG24], in service per A1.1 note"),
    System("tata-tgn-intra-asia-tgn-ia", "tgnia", "Tata TGN-Intra Asia (TGN-IA)", 2009),
    System("malaysia-cambodia-thailand-mct-cable", "mct", "Malaysia-Cambodia-Thailand (MCT)", 2017,
           cap=30000, cap_cite=f">=30 Tbps design (1.5 Tbps initial), {W} (capacitymedia.com MCT launch)",
           capex=100e6, capex_cite="US$100 M (2017 launch reports; 2015 estimate <=US$70 M, C1), A1.2 (vietstock)"),
    System("sea-us", "seaus", "SEA-US", 2017, cap=20000,
           cap_cite=f"20 Tbps, {W} (manilastandard.net)",
           capex=250e6, capex_cite="US$250 M, A1.2 (manilastandard.net)"),
    System("pacific-light-cable-network-plcn", "plcn", "Pacific Light Cable Network (PLCN)", 2022, cap=144000,
           cap_cite=f"144 Tbps (6 FP), {W} (lirneasia.net; 120 Tbps in 2016 announcement, C1)",
           capex=400e6, capex_cite="~US$400 M, A1.2 (lirneasia.net)", rfs_cite="RFS 2022 January [TG24]"),
    System("asia-direct-cable-adc", "adc", "Asia Direct Cable (ADC)", 2024, cap=160000,
           cap_cite=f">160 Tbps at RFS (>140 Tbps 2020 plan, C1), {W} (telecomreviewasia)",
           rfs_cite="operational Nov 2024, A1.2 (ukfcf.org.uk)"),
    System("seax-1", "seax1", "SEAX-1", 2018),
    System("jasuka", "jasuka", "JaSuKa", 2006),
    System("matrix-cable-system", "matrix", "Matrix Cable System", 2008),
    System("indonesia-global-gateway-igg-system", "igg", "Indonesia Global Gateway (IGG)", 2018),
    System("flag-europe-asia-fea", "fea", "FLAG Europe-Asia (FEA)", 1997),
    System("eac-c2c", "eacc2c", "EAC-C2C", 2002, cap=12600,
           cap_cite=("estimate: 12.6 Tbps lit = the 2010 upgrade's +3.6 Tbps being +40 % of lit capacity "
                     "(3.6/0.4 + 3.6), A1.2 (telecomasia.net Pacnet upgrade); design figure not found (C2)")),
    System("asia-submarine-cable-express-asecahaya-malaysia", "ase", "Asia Submarine-cable Express (ASE)/Cahaya Malaysia",
           2012, cap=15000, cap_cite=f"15 Tbps, {W} (submarinenetworks.com OFTA/ASE)",
           capex=430e6, capex_cite="HK$3.35 bn ~ US$430 M (OFTA/Nikkei; also US$400 M, US$300 M, C1), A1.2"),
    System("peace-cable", "peace", "PEACE Cable", 2022,
           cap_cite=f"{W}: 96 Tbps Pakistan-Egypt, 192 Tbps Egypt-France (datacenterdynamics; thenews.com.pk)",
           rfs_cite="RFS 2022 March [TG24]", seg_cap="peace"),
    System("hainan-to-hong-kong-express-h2he", "h2he", "Hainan to Hong Kong Express (H2HE)", 2021),
    System("flag-north-asia-loopreach-north-asia-loop", "fnal", "FLAG North Asia Loop/REACH North Asia Loop", 2001),
    System("trans-pacific-express-tpe-cable-system", "tpe", "Trans-Pacific Express (TPE)", 2008),
    System("new-cross-pacific-ncp-cable-system", "ncp", "New Cross Pacific (NCP)", 2018),
    System("faster", "faster", "FASTER", 2016),
    System("unityeac-pacific", "unity", "Unity/EAC-Pacific", 2010, cap=10240,
           cap_cite=("estimate: 10.24 Tbps = the 2007 EAC Pacific plan, 4 FP x 2.56 Tbps (A1.2 EAC-C2C row, "
                     "scmp.com); Unity's own design figure not in the corpus")),
    System("singapore-myanmar-sigmar", "sigmar", "Singapore-Myanmar (SIGMAR)", 2021),
    System("thailand-indonesia-singapore-tis", "tis", "Thailand-Indonesia-Singapore (TIS)", 2003),
    System("dumai-melaka-cable-system", "dmcs", "Dumai-Melaka Cable System (DMCS)", 2005),
    System("batam-dumai-melaka-bdm-cable-system", "bdm", "Batam Dumai Melaka (BDM)", 2009),
    System("moratelindo-international-cable-system-1-mic-1", "mic1", "Moratelindo International Cable System-1 (MIC-1)", 2008),
    System("jupiter", "jupiter", "JUPITER", 2020),
    System("australia-singapore-cable-asc", "asc", "Australia-Singapore Cable (ASC)", 2018),
    System("indigo-west", "indigow", "INDIGO-West", 2019),
    System("taiwan-strait-express-1-tse-1", "tse1", "Taiwan Strait Express-1 (TSE-1)", 2013),
    System("i2i-cable-network-i2icn", "i2i", "i2i Cable Network (i2icn)", 2002),
    System("tata-tgn-tata-indicom", "tgnti", "Tata TGN-Tata Indicom", 2004),
    System("east-west-submarine-cable-system", "eastwest", "East-West Submarine Cable System", 2004),
    System("labuan-brunei-submarine-cable", "lbsc", "Labuan-Brunei Submarine Cable", 2017),
    System("damai-cable-system", "damai", "DAMAI Cable System", 2019),
    System("sistem-kabel-rakyat-1malaysia-skr1m", "skr1m", "Sistem Kabel Rakyat 1Malaysia (SKR1M)", 2017),
    # --- [TG21] Indonesian domestic systems that joined Makassar, Balikpapan and Manado to Java before
    # IGG (2018) and SEA-US (2017); without them those cities are cut off in the pre-2017 network.
    System("s-u-b-cable-system", "subcs", "S-U-B Cable System", 2008),
    System("smpcs-packet-1", "smpcs1", "SMPCS Packet-1", 2015),
    # --- [TG24]-only systems (not in the 2021 data)
    System("haikou-beihai-cable", "hkbh", "Haikou-Beihai Cable", 1999, source="TG24"),
    System("cambodia-hong-kong", "khhk", "Cambodia-Hong Kong", 2025, status="planned", source="TG24",
           capex=165e6, capex_cite="contract RMB 1.16 bn ~ US$160-170 M (derived, A1.2/A4.1, twgreatdaily.com)",
           rfs_cite="RFS 2025 July [TG24]; 2024 per VNA (C1)"),
    System("asia-link-cable-alc", "alc", "Asia Link Cable (ALC)", 2025, status="planned", source="TG24",
           cap=144000, cap_cite=f"8 FP x 18 Tbps = 144 Tbps (derived), {W} (technology-news.space)",
           capex=300e6, capex_cite="US$300 M, A1.2 (technology-news.space)", rfs_cite="RFS 2025 Q3 [TG24]"),
    System("sea-h2x", "seah2x", "SEA-H2X", 2024, status="planned", source="TG24",
           cap=160000, cap_cite=f"160 Tbps, {W} ([CU-2022-05-13] commsupdate.com)",
           rfs_cite="RFS 2024 [TG24]; status after March 2024 not verified (A1.1)"),
    # --- [TG21] systems in service by 2016 added after the first derivation: SAFE's Asian leg, BBG, the
    # Jakarta/Batam-Singapore systems and the Xiamen-Kinmen cable. Their capacities are not in facts-inputs:
    # each cited figure names its public source; the others get the era rule (E1).
    System("safe", "safe", "SAFE (South Africa Far East)", 2002, cap=440,
           cap_cite=("440 Gbps in 2024, 10 Gbps at launch (mybroadband.co.za 2024, 'All the cables connecting "
                     "South Africa to the world'; not in facts-inputs); earlier: 90 Gbps after the 2006 upgrade, "
                     "of a 170 Gbps maximum design then (lightwaveonline.com 2005-09-01); 130 Gbps (probsee.com)"),
           keep=("cochin-india", "penang-malaysia")),
    System("bay-of-bengal-gateway-bbg", "bbg", "Bay of Bengal Gateway (BBG)", 2016, cap=55000,
           cap_cite=("55 Tbps design (3 FP, 100G; 9 Tbps lit at launch), medianama.com 2016-04 and "
                     "en.wikipedia.org/wiki/Bay_of_Bengal_Gateway (not in facts-inputs); contract value not "
                     "disclosed (siliconrepublic.com 2013-05-01)")),
    System("jakabare", "jakabare", "JAKABARE", 2009),
    System("batam-singapore-cable-system-bscs", "bscs", "Batam Singapore Cable System (BSCS)", 2009),
    System("pgascom", "pgascom", "PGASCOM", 2010),
    System("b2js-jakarta-bangka-batam-singapore-cable-system", "b2js",
           "B2JS (Jakarta-Bangka-Batam-Singapore)", 2013),
    System("jakarta-bangka-bintan-batam-singapore-b3js", "b3js", "Jakarta-Bangka-Bintan-Batam-Singapore (B3JS)",
           2012, cap=380,
           cap_cite=("380 Gbps built-in capacity ('kapasitas bawaan'; Moratelindo IPLC product page), "
                     "id.wikipedia.org 'Sistem kabel Jakarta-Bangka-Bintan-Batam-Singapura' (mirror "
                     "m.wiki-indonesia.club; not in facts-inputs)"),
           capex=60e6, capex_cite="US$60 M, id.wikipedia.org B3JS article (citing Berita Satu, 2013)"),
    System("batam-rengit-cable-system-brcs", "brcs", "Batam-Rengit Cable System (BRCS)", 2007),
    System("cross-straits-cable-network", "cscn", "Cross-Straits Cable Network (CSCN)", 2012, cap=9600,
           cap_cite=("9.6 Tbps design (12 FP x 80 wavelengths x 10 Gbps), submarinenetworks.com (Kinmen-Xiamen "
                     "cable, 2011 and 2012) and subtelforum.com (NCC approval, 2011-09-21) (not in facts-inputs)"),
           capex=14e6, capex_cite=("~US$14 M estimated total construction cost (Chunghwa Telecom at the NCC "
                                   "approval, 2011-09-21, subtelforum.com; 2009 plan: 100 M yuan per side, "
                                   "kakatech.com)")),
]
# The systems of the block above (named in SOURCES.md).
ADDED_2016 = {"safe", "bay-of-bengal-gateway-bbg", "jakabare", "batam-singapore-cable-system-bscs", "pgascom",
              "b2js-jakarta-bangka-batam-singapore-cable-system", "jakarta-bangka-bintan-batam-singapore-b3js",
              "batam-rengit-cable-system-brcs", "cross-straits-cable-network"}
# A system modelled only in part: every link's citation carries this phrase (tools/add_system_lengths.py leaves
# its stated length empty, as that is the whole system's).
PARTIAL_CITE = "part of the system"
SYSTEM_BY_SLUG = {s.slug: s for s in SYSTEMS}

# Cables of A1.1 deliberately left out (reported in SOURCES.md).
SKIPPED_SYSTEMS = [
    ("2africa", "skipped on instruction"),
    ("seamewe-6", "planned 2025, no China landing (China Telecom and China Mobile withdrew, A1.2)"),
    ("bifrost", "planned; Singapore/Indonesia-US, no China-ASEAN leg"),
    ("echo", "planned; Singapore/Indonesia-US, no China-ASEAN leg"),
    ("apricot", "planned 2026; not in [TG21]"),
    ("asia-connect-cable-1-acc-1", "planned 2026; not in [TG21]"),
    ("tpu", "planned 2025; not in [TG21]"),
    ("india-asia-xpress-iax", "planned; India-ASEAN, not China"),
    ("mist", "planned; India-ASEAN, not China"),
    ("singapore-myanmar UMO", "listed in [TG24] only (2,227 km, 2023); not in [TG21]"),
]

# --------------------------------------------------------------------------------------
# Country names used in TeleGeography landing names -> ISO 3166-1 alpha-3
# --------------------------------------------------------------------------------------
COUNTRY_ISO3 = {
    "Algeria": "DZA", "Australia": "AUS", "Bangladesh": "BGD", "Belgium": "BEL", "Brunei": "BRN",
    "Cambodia": "KHM", "China": "CHN", "Christmas Island": "CXR", "Cyprus": "CYP", "Djibouti": "DJI",
    "Egypt": "EGY", "France": "FRA", "Greece": "GRC", "India": "IND", "Indonesia": "IDN", "Italy": "ITA",
    "Japan": "JPN", "Jordan": "JOR", "Kenya": "KEN", "Malaysia": "MYS", "Micronesia": "FSM",
    "Morocco": "MAR", "Myanmar": "MMR", "Oman": "OMN", "Pakistan": "PAK", "Palau": "PLW",
    "Philippines": "PHL", "Portugal": "PRT", "Qatar": "QAT", "Saudi Arabia": "SAU", "Seychelles": "SYC",
    "Singapore": "SGP", "Somalia": "SOM", "South Korea": "KOR", "Spain": "ESP", "Sri Lanka": "LKA",
    "Taiwan": "TWN", "Thailand": "THA", "Tunisia": "TUN", "Turkey": "TUR", "United Arab Emirates": "ARE",
    "United Kingdom": "GBR", "United States": "USA", "Vietnam": "VNM", "Yemen": "YEM",
    "Maldives": "MDV", "Malta": "MLT",
}
# ISO 3166 numeric (Natural Earth ids) -> alpha-3, for branching units found on land
NUMERIC_ISO3 = {
    "360": "IDN", "458": "MYS", "764": "THA", "818": "EGY", "704": "VNM", "156": "CHN", "608": "PHL",
    "392": "JPN", "410": "KOR", "158": "TWN", "356": "IND", "682": "SAU", "250": "FRA", "380": "ITA",
    "300": "GRC", "792": "TUR", "196": "CYP", "512": "OMN", "784": "ARE", "586": "PAK", "144": "LKA",
    "104": "MMR", "116": "KHM", "702": "SGP", "096": "BRN", "344": "HKG", "446": "MAC", "840": "USA",
    "036": "AUS", "262": "DJI", "887": "YEM", "400": "JOR", "724": "ESP", "620": "PRT", "504": "MAR",
    "826": "GBR", "316": "GUM", "056": "BEL", "012": "DZA", "788": "TUN", "706": "SOM", "404": "KEN", "050": "BGD",
}
HK_BOX = (113.8, 22.13, 114.45, 22.57)  # lon/lat box of Hong Kong SAR for TG 'China' landings


def landing_country(name: str, lon: float, lat: float) -> str:
    if name.startswith("Taipa"):
        return "MAC"
    if ", GU, " in name:
        return "GUM"
    cname = name.split(", ")[-1]
    iso = COUNTRY_ISO3[cname]
    if iso == "CHN" and HK_BOX[0] <= lon <= HK_BOX[2] and HK_BOX[1] <= lat <= HK_BOX[3]:
        return "HKG"
    return iso


# --------------------------------------------------------------------------------------
# Landing -> metro city backhaul (hand-curated; 'link' False where a land route already
# joins the landing to its city)
# --------------------------------------------------------------------------------------
BACKHAUL = {
    "SGSIN": ["tuas-singapore", "changi-north-singapore", "changi-south-singapore", "katong-singapore",
              "tanah-merah-singapore", "sakra-island-singapore"],
    "HKHKG": ["deep-water-bay-china", "lantau-island-china", "tseung-kwan-o-china", "cape-daguilar-china",
              "chung-hom-kok-china", "tong-fuk-china", "hong-kong-china"],
    "MOMFM": ["taipa-china"],
    "CNSHA": ["shanghai-china", "chongming-china", "nanhui-china", "lingang-china"],
    "CNSWA": ["shantou-china"], "CNTAO": ["qingdao-china"],
    "CNFOC": ["fuzhou-china", "dadeng-island-china", "guanyin-mountain-china"],
    "CNZUH": ["zhuhai-china"], "CNBHY": ["beihai-china"],
    "CNHAK": ["wenchang-china", "hainan-china", "lingao-china", "lingshui-china"],
    "TWTPE": ["toucheng-taiwan", "tanshui-taiwan", "pa-li-taiwan", "fangshan-taiwan"],
    "JPTYO": ["maruyama-japan", "shima-japan", "chikura-japan", "kitaibaraki-japan", "miura-japan",
              "ajigaura-japan", "wada-japan"],
    "KRSEL": ["busan-south-korea", "geoje-south-korea", "shindu-ri-south-korea"],
    "PHMNL": ["batangas-philippines", "nasugbu-philippines", "cavite-philippines", "la-union-philippines",
              "baler-philippines", "ballesteros-philippines", "daet-philippines", "bauang-philippines",
              "luna-philippines"],
    "PHDVO": ["davao-philippines"],
    "VNDAD": ["danang-vietnam", "quy-nhon-vietnam"], "VNSGN": ["vung-tau-vietnam"],
    "THBKK": ["sriracha-thailand", "rayong-thailand"], "THHDY": ["songkhla-thailand", "satun-thailand"],
    "KHPNH": ["sihanoukville-cambodia"],
    "MMRGN": ["pyapon-myanmar", "thanlyin-myanmar", "ngwe-saung-myanmar"],
    "MYKUL": ["melaka-malaysia", "bandar-bukit-tinggi-malaysia", "kuantan-malaysia", "cherating-malaysia"],
    "MYJHB": ["mersing-malaysia", "kuala-sedili-malaysia", "rengit-malaysia"],
    "MYPEN": ["penang-malaysia", "kuala-kurau-malaysia"],
    "MYKCH": ["kuching-malaysia"], "MYMYY": ["miri-malaysia", "bintulu-malaysia"],
    "MYBKI": ["kota-kinabalu-malaysia", "kiamsam-malaysia"],
    "BNBWN": ["tungku-brunei", "telisai-brunei"],
    "IDJKT": ["jakarta-indonesia", "ancol-indonesia", "tanjung-pakis-indonesia", "anyer-indonesia"],
    "IDBTH": ["batam-indonesia", "tanjung-bemban-indonesia", "tanjung-pinggir-indonesia"],
    "IDMES": ["medan-indonesia"], "IDPNK": ["pontianak-indonesia", "sungai-kakap-indonesia"],
    "IDBPN": ["balikpapan-indonesia", "banjarmasin-indonesia"], "IDMDC": ["manado-indonesia", "kauditan-indonesia"],
    "IDUPG": ["makassar-indonesia", "kendari-indonesia"], "IDSUB": ["madura-indonesia", "surabaya-indonesia"],
    "IDDPS": ["bali-indonesia"],
    "USLAX": ["hermosa-beach-ca-united-states", "redondo-beach-ca-united-states", "el-segundo-ca-united-states"],
    "USSJC": ["san-luis-obispo-ca-united-states", "nedonna-beach-or-united-states",
              "pacific-city-or-united-states", "bandon-or-united-states", "cloverdale-or-united-states"],
    "FRMRS": ["marseille-france", "toulon-france"], "FRPAR": ["penmarch-france"],
    "GBLON": ["goonhilly-downs-united-kingdom", "porthcurno-united-kingdom"], "NLAMS": ["ostend-belgium"],
    "ITMIL": ["bari-italy", "catania-italy", "palermo-italy", "mazara-del-vallo-italy"],
}
BACKHAUL_NO_LINK = {"ngwe-saung-myanmar"}  # the CMI land cable is its backhaul
# Long land backhauls that stand in for a domestic terrestrial backbone (added to the link's citation).
BACKHAUL_NOTE = {
    "banjarmasin-indonesia": ("S-U-B landing joined to the nearest city node in the graph (Balikpapan); stands in "
                              "for the Banjarmasin-Balikpapan land route of Kalimantan's domestic backbone "
                              "(route and date not sourced)"),
    "kendari-indonesia": ("SMPCS Packet-1 landing joined to the nearest city node in the graph (Makassar); stands "
                          "in for the Kendari-Makassar land route of Sulawesi's domestic backbone (route and date "
                          "not sourced)"),
    "dadeng-island-china": ("Cross-Straits (Xiamen) landing joined to Fuzhou, the nearest city node in the graph "
                            "and the one in Xiamen's province (Fujian); stands in for the Xiamen-Fuzhou land route "
                            "of Fujian's domestic backbone (route and date not sourced)"),
    "guanyin-mountain-china": ("Cross-Straits (Xiamen) landing joined to Fuzhou, the city node in Xiamen's province "
                               "(Fujian; Shantou, Guangdong, is 8 km nearer by great circle); stands in for the "
                               "Xiamen-Fuzhou land route of Fujian's domestic backbone (route and date not sourced)"),
}
COUNTRY_NAME = {"SGP": "Singapore", "HKG": "Hong Kong", "MAC": "Macau", "CHN": "China", "TWN": "Taiwan",
                "JPN": "Japan", "KOR": "South Korea", "PHL": "Philippines", "VNM": "Vietnam",
                "THA": "Thailand", "KHM": "Cambodia", "MMR": "Myanmar", "MYS": "Malaysia", "BRN": "Brunei",
                "IDN": "Indonesia", "USA": "United States", "FRA": "France", "GBR": "United Kingdom",
                "NLD": "Netherlands", "BEL": "Belgium", "GUM": "Guam", "ITA": "Italy", "LAO": "Laos"}

# --------------------------------------------------------------------------------------
# Terrestrial routes (A2) and domestic backbones
# --------------------------------------------------------------------------------------
@dataclass
class Route:
    key: str
    system: str
    path: list[str]
    cap: float
    cap_cite: str
    design: float | None = None
    status: str = "existing"
    rfs: int | None = None
    capex: float | None = None
    capex_cite: str = ""
    total_km: float | None = None     # known route length (spread over hops by great circle)
    total_cite: str = ""
    factor: float | None = None       # explicit route factor
    factor_cite: str = ""
    via: list[list[str]] | None = None  # per hop: intermediate places for the great circle sum
    cite: str = ""                    # extra source text for the route


A21 = "facts-inputs A2.1"
A22 = "facts-inputs A2.2"
ROUTES = [
    # ---- China-Myanmar
    Route("cmi", "China-Myanmar International (CMI) terrestrial cable",
          ["jx-ruili", "jx-muse", "MMMDL", "MMNYT", "MMRGN", "ngwe-saung-myanmar"], 800.0,
          f"80 x 10G DWDM = 800 Gbps, {A21} (submarinenetworks.com China Unicom/AAE-1 Myanmar)", design=800.0,
          rfs=2014, capex=50e6, capex_cite="~US$50 M (China Unicom; 2013 report US$40 M), A2.1",
          total_km=1500.0, total_cite="route ~1,500 km Ruili-Ngwe Saung (A2.1)"),
    Route("gmsis-cn-mm-muse", "GMS IS China-Myanmar (Ruili-Muse, China Telecom)", ["jx-ruili", "jx-muse"], 10.0,
          f"~10 Gbps (inferred from MPT's 20 Gbps total after the 10G Thai link), {A21} (tmcnet 2009)", rfs=2008),
    # ---- China-Vietnam
    Route("gmsis-cn-vn-pingxiang", "GMS IS China-Vietnam (Pingxiang-Lang Son)",
          ["CNNNG", "jx-pingxiang", "jx-langson", "VNHAN"], CN_VN_XB_GBPS, CN_VN_XB_CITE,
          cite=f"China Unicom's first China-Vietnam cable (1990s), {A21} (swulab.e-courses.cn)"),
    Route("gmsis-cn-vn-dongxing", "GMS IS China-Vietnam (Dongxing-Mong Cai)",
          ["CNFAN", "jx-dongxing", "jx-mongcai", "VNHAN"], CN_VN_XB_GBPS, CN_VN_XB_CITE, rfs=2008,
          cite=f"China Netcom-EVN 10G system on two routes (Jan 2008), {A21} (m.pldmr.com)"),
    Route("gmsis-cn-vn-hekou", "GMS IS China-Vietnam (Hekou-Lao Cai)",
          ["CNKMG", "jx-hekou", "jx-laocai", "VNHAN"], CN_VN_XB_GBPS, CN_VN_XB_CITE,
          cite=f"crossing listed in {A21}; no capacity or date found (C2)"),
    # ---- China-Laos
    Route("gmsis-cn-la-mohan", "GMS IS China-Laos (Mohan-Boten)",
          ["CNKMG", "jx-mengla", "jx-boten", "jx-luangprabang", "LAVTE"], THIN_XB_GBPS, THIN_XB_CITE, rfs=2012,
          cite=f"China Unicom China-Laos Mengla international transmission system (2012), {A21} (swulab.e-courses.cn)"),
    # ---- other GMS / ASEAN cross-border
    Route("gmsis-la-th", "GMS IS Laos-Thailand (Vientiane-Nong Khai)", ["LAVTE", "jx-nongkhai", "THBKK"],
          THIN_XB_GBPS, THIN_XB_CITE, cite="GMS ISN link (A2.1); part of the VSTN corridor; no figures found (C2)"),
    Route("gmsis-la-vn", "GMS IS Laos-Vietnam (Thakhek-Vinh)", ["LAVTE", "jx-thakhek", "jx-vinh", "VNHAN"],
          THIN_XB_GBPS, THIN_XB_CITE, cite="GMS ISN link (A2.1); path assumed along Route 12/13; no figures found (C2)"),
    Route("gmsis-kh-vn", "GMS IS Cambodia-Vietnam (Bavet-Moc Bai)", ["KHPNH", "jx-bavet", "jx-mocbai", "VNSGN"],
          THIN_XB_GBPS, THIN_XB_CITE, cite="Cambodia relied on land links to Vietnam and Thailand before MCT, A2.1 (huaweimarine MCT case study)"),
    Route("gmsis-kh-th", "GMS IS Cambodia-Thailand (Poipet-Aranyaprathet)",
          ["KHPNH", "jx-poipet", "jx-aranyaprathet", "THBKK"], THIN_XB_GBPS, THIN_XB_CITE,
          cite="Cambodia relied on land links to Vietnam and Thailand before MCT, A2.1 (huaweimarine MCT case study)"),
    Route("gmsis-mm-th", "GMS IS Myanmar-Thailand (Myawaddy-Mae Sot)", ["MMRGN", "jx-myawaddy", "jx-maesot", "THBKK"],
          10.0, f"10 Gbps (MPT-TOT, Jun 2009), {A21} (tmcnet 2009)", design=10.0, rfs=2009,
          cite="path Yangon-Bago-Kyaikhto-Hpa-an-Kawkareik-Myawaddy / Mae Sot-Bangkok (A2.1)"),
    Route("xb-th-my", "Thailand-Malaysia cross-border (Sadao-Bukit Kayu Hitam)",
          ["THHDY", "jx-sadao", "jx-changloon", "MYPEN"], MAJOR_XB_GBPS, MAJOR_XB_CITE,
          cite="crossing listed in A2.1; length and capacity not found (C2)"),
    Route("xb-my-sg", "Malaysia-Singapore cross-border (Johor)", ["MYJHB", "SGSIN"], MAJOR_XB_GBPS, MAJOR_XB_CITE,
          cite="Johor-Singapore terrestrial, A2.1 (VSTN reaches Equinix JH01 Johor then Singapore); no figures found (C2)"),
    Route("vstn", "VNPT VSTN overland route (Da Nang-Laos-Thailand-Malaysia-Singapore)",
          ["VNDAD", "jx-laobao", "jx-savannakhet", "jx-mukdahan", "THBKK", "THHDY", "jx-sadao", "jx-changloon",
           "MYKUL", "MYJHB", "SGSIN"], MAJOR_XB_GBPS, MAJOR_XB_CITE, rfs=2025,
          total_km=3900.0, total_cite="route ~3,900 km Da Nang-Singapore (A2.1, vietnam.vnanet.vn)",
          cite="path Da Nang-Laos-Bangkok-Cyberjaya-Johor-Singapore (A2.1); Lao Bao/Savannakhet crossing assumed"),
    # ---- Eurasian land routes to Europe
    Route("tea", "TEA (Transit Europe-Asia, Rostelecom) trunk",
          ["jx-chita", "jx-irkutsk", "RUOVB", "RUMOW", "LVRIX", "DEFRA"], TEA_TRUNK_GBPS, TEA_TRUNK_CITE,
          capex=70e6, capex_cite="upgrade >US$70 M (China Telecom + Rostelecom, 2011; upgrade cost, not build), A2.2",
          cite=("TEA: Europe-Russia (Rostelecom DWDM)-China border links; London-HK RTT 190 ms (A2.2, "
                "submarinenetworks.com TEA); western exit via Latvia as for TEA NEXT (A2.2, company.rt.ru)")),
    Route("tea-heihe", "TEA China link (Heihe-Blagoveshchensk, China Telecom-Rostelecom)",
          ["CNHRB", "jx-heihe", "jx-blagoveshchensk", "jx-chita"], 300.0,
          f"DWDM expandable to 300 Gbps (initial 2.5 Gbps; '80G' per Beijing Youth Daily, C1), {A22} (commsupdate 2004-07-20)",
          design=300.0, rfs=2004),
    Route("mts-heihe", "MTS-China Unicom (Blagoveshchensk-Heihe)", ["jx-heihe", "jx-blagoveshchensk"], 100.0,
          f"100 Gbps, {A22} (commsupdate 2013-03-14)", design=100.0, rfs=2013, capex=2.3e6,
          capex_cite="RUB 70 M ~ US$2.3 M, A2.2/A4.2"),
    Route("ttk-manzhouli", "TransTeleCom-China Telecom (Manzhouli-Zabaikalsk)",
          ["CNHRB", "jx-manzhouli", "jx-zabaikalsk", "jx-chita"], 100.0,
          f"100G ULH DWDM gateway (2017; 10 Gbps 'Eurasia Highway' 2007), {A22} (oreanda.ru; chinadaily 2007)",
          design=100.0, rfs=2017),
    Route("mongolia", "Transit Mongolia (China-Mongolia-Russia)",
          ["CNBJS", "jx-erenhot", "jx-zamynuud", "jx-ulaanbaatar", "jx-irkutsk"], 200.0,
          f"200 Gbps initial (Beeline/VEON route), {A22} (mforum.ru)", design=200.0,
          cite="China Telecom Europe 'Transit Mongolia' route (2010, A2.2 capacitymedia)"),
    Route("kaz", "China-Kazakhstan-Europe land route (TAE corridor / Kazakhtelecom, DREAM)",
          ["jx-khorgos", "KZALA", "jx-astana", "RUMOW", "LVRIX", "DEFRA"], 200.0, EURASIA_200_CITE,
          total_km=8900.0, total_cite="DREAM Frankfurt-Baltics-Russia-Kazakhstan-China border ~8,900 km (A2.2, capacitymedia)",
          cite=("China Telecom Europe Kazakhstan route (2010) and Kazakhtelecom HK-Frankfurt 162 ms (A2.2); "
                "TAE's original path via Uzbekistan-Turkmenistan-Iran-Turkey is not modelled")),
    Route("kaz-cn", "China-Kazakhstan-Europe land route (TAE corridor / Kazakhtelecom, DREAM)",
          ["CNURC", "jx-khorgos"], 200.0, EURASIA_200_CITE,
          cite="Urumqi-Khorgos great circle 579 km (A2.2, derived)"),
]
# Extra backbone hops, each (system, a, b, via) with non-binding capacity.
BACKBONE_HOPS = [
    ("bb-cn", "Domestic backbone China", [
        ("CNBJS", "CNSHA"), ("CNSHA", "CNFOC"), ("CNFOC", "CNSWA"), ("CNSWA", "CNCAN"), ("CNCAN", "CNNNG"), ("CNNNG", "CNKMG"),
        ("CNBJS", "CNCAN"), ("CNBJS", "CNTAO"), ("CNTAO", "CNSHA"), ("CNCAN", "CNZUH"), ("CNCAN", "CNHAK"),
        ("CNNNG", "CNQZH"), ("CNNNG", "CNBHY"), ("CNNNG", "CNFAN"), ("CNQZH", "CNBHY"), ("CNQZH", "CNFAN"),
        ("CNBJS", "CNLHW"), ("CNLHW", "CNURC"), ("CNKMG", "jx-ruili"), ("CNBJS", "CNHRB")]),
    ("bb-cn-hk", "Guangzhou-Hong Kong-Macau cross-boundary backbone", [("CNCAN", "HKHKG"), ("CNZUH", "MOMFM")]),
    ("bb-vn", "Domestic backbone Vietnam", [("VNHAN", "VNDAD"), ("VNDAD", "VNSGN")]),
    ("bb-th", "Domestic backbone Thailand", [("THBKK", "THHDY")]),
    ("bb-my", "Domestic backbone Malaysia", [("MYKUL", "MYJHB"), ("MYKUL", "MYPEN"), ("MYKCH", "MYMYY")]),
    ("bb-id", "Domestic backbone Indonesia", [("IDJKT", "IDSUB"), ("IDSUB", "IDDPS")]),
    ("bb-ph", "Domestic backbone Philippines (incl. inter-island sections)", [("PHMNL", "PHDVO")]),
    # Los Angeles-San Jose, and the transcontinental routes New York-Los Angeles and New York-San Jose that
    # carry transatlantic traffic to the Pacific cables (E20)
    ("bb-us", "US terrestrial backbone", [("USLAX", "USSJC"), ("USLAX", "USNYC"), ("USNYC", "USSJC")]),
    ("bb-eu", "European terrestrial backbone", [
        ("FRMRS", "FRPAR"), ("FRPAR", "GBLON"), ("FRPAR", "DEFRA"), ("GBLON", "NLAMS"), ("NLAMS", "DEFRA"),
        ("GBLON", "DEFRA"), ("FRMRS", "ITMIL"), ("ITMIL", "DEFRA")]),
]

# Existing domestic land links that no source in the corpus documents but without which a city would be
# cut off in the pre-2017 network: (key, system, a, b, basis). Non-binding capacity (E6), length great
# circle x 1.3 (A6), terrestrial price rate; existing, RFS unknown (empty).
ESTIMATED_LAND = [
    ("bb-my-sabah", "Domestic backbone Malaysia: Sabah-Sarawak (Kota Kinabalu-Miri)", "MYBKI", "MYMYY",
     "Telekom Malaysia's domestic network served Sabah before SKR1M (Sep 2017), the first submarine system "
     "landing in Sabah in [TG21] (TM Sabah in June 2017: SKR1M lifts capacity to 4 Tbps from the current "
     "~700 Gbps, route not stated; theborneopost.com 2017-06-22, Bernama); no [TG21] system with RFS <= 2016 "
     "lands in Sabah, so Kota Kinabalu is joined by land to Miri (Sarawak) along the Pan-Borneo corridor; "
     "modelled as a direct Malaysian link, not via Brunei (no Sabah-Brunei-Sarawak interconnection found, C2)"),
]

# --------------------------------------------------------------------------------------
# Proposed builds for the Guangxi convergence-hub scenario (A3, A4)
# --------------------------------------------------------------------------------------
PROPOSED_LAND = [
    # key, system, a, b, via (for the great-circle sum)
    ("gx-nng-han", "Proposed Guangxi hub: Nanning-Hanoi direct land cable", "CNNNG", "VNHAN", []),
    ("gx-nng-vte", "Proposed Guangxi hub: Nanning-Vientiane direct land cable", "CNNNG", "LAVTE", []),
    ("gx-nng-mdl", "Proposed Guangxi hub: Nanning-Mandalay land cable (via Kunming-Ruili corridor)",
     "CNNNG", "MMMDL", ["CNKMG", "jx-ruili"]),
    ("gx-nng-bkk", "Proposed Guangxi hub: Nanning-Bangkok express land cable (via Vientiane)",
     "CNNNG", "THBKK", ["LAVTE"]),
]
QINZHOU_CLS = {"id": "qinzhou-cls-proposed", "name": "Qinzhou cable landing station (proposed)",
               "lon": 108.6000, "lat": 21.6800,
               "citation": ("estimate: hand-placed on the Qinzhou port coast; proposed landing, none exists in "
                            "Guangxi except Beihai (A3, [TG24])")}
# Schematic sea routes (hand-placed waypoints, lon/lat); not engineered routes.
PROPOSED_SUB = [
    ("gx-beibu-hk", "Proposed Guangxi hub: Beibu Gulf cable Qinzhou-Hong Kong (via Qiongzhou Strait)",
     "qinzhou-cls-proposed", "chung-hom-kok-china",
     [(108.60, 21.68), (108.75, 21.30), (109.40, 20.70), (109.90, 20.25), (110.60, 20.18), (111.20, 20.40),
      (112.50, 21.30), (113.60, 21.90), (114.2057, 22.2250)]),
    ("gx-beibu-apg", "Proposed Guangxi hub: Beibu Gulf branch Qinzhou-APG trunk (Gulf of Tonkin)",
     "qinzhou-cls-proposed", "APG_DANANG_BU",
     [(108.60, 21.68), (108.55, 21.00), (108.20, 19.80), (107.90, 18.60), (108.60, 17.30), (110.00, 15.30)]),
]
PEACE_EXT = {
    "system": "PEACE Cable (Singapore extension)",
    "path": ["karachi-pakistan", "kulhudhufushi-maldives", "tuas-singapore"],
    "kulhudhufushi": {"name": "Kulhudhufushi, Maldives", "lon": 73.0715, "lat": 6.6225},
    "waypoints": [
        [(67.0285, 24.8894), (66.40, 22.50), (69.50, 15.00), (72.60, 8.20), (73.0715, 6.6225)],
        [(73.0715, 6.6225), (76.00, 5.20), (80.50, 5.20), (88.00, 5.60), (94.50, 6.40), (97.60, 5.60),
         (99.80, 3.80), (101.80, 2.20), (103.20, 1.15), (103.6471, 1.3382)],
    ],
    "total_km": 6400.0,
    "cite": ("PEACE Singapore extension 6,300-6,500 km (mid 6,400 km used), complete 2024 "
             "(A1.2, datacenterdynamics.com; Singapore-France RFS H1 2024); landings Karachi, "
             "Kulhudhufushi, Tuas per A1.4 [TG24]; the leg is missing from TG geometry (A1.1)"),
}


# ======================================================================================
# Geometry helpers
# ======================================================================================
def geod_len_km(coords: list[tuple[float, float]]) -> float:
    tot = 0.0
    for a, b in pairwise(coords):
        tot += GEOD.inv(a[0], a[1], b[0], b[1])[2]
    return tot / 1000.0


def vkey(p) -> tuple[float, float]:
    lon, lat = float(p[0]), float(p[1])
    if abs(lon) > 179.99:
        lon = 180.0
    return (round(lon, 5), round(lat, 5))


def ddeg(a, b) -> float:
    dlon = abs(a[0] - b[0])
    if dlon > 180:
        dlon = 360 - dlon
    return math.hypot(dlon * math.cos(math.radians((a[1] + b[1]) / 2)), a[1] - b[1])


def point_segment(p, a, b) -> tuple[float, float]:
    """Planar distance (deg, lon scaled) from p to segment ab, and the parameter t."""
    c = math.cos(math.radians(p[1]))
    ax, ay = (a[0] - p[0]) * c, a[1] - p[1]
    bx, by = (b[0] - p[0]) * c, b[1] - p[1]
    dx, dy = bx - ax, by - ay
    L = dx * dx + dy * dy
    t = 0.0 if L == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / L))
    return math.hypot(ax + t * dx, ay + t * dy), t


def split_antimeridian(coords: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Split a lon/lat polyline into parts at +-180 the way TeleGeography does."""
    un = [tuple(coords[0])]
    for lon, lat in coords[1:]:
        prev = un[-1][0]
        while lon - prev > 180:
            lon -= 360
        while lon - prev < -180:
            lon += 360
        un.append((lon, lat))
    parts, cur = [], [un[0]]
    for a, b in pairwise(un):
        ka, kb = math.floor((a[0] + 180) / 360), math.floor((b[0] + 180) / 360)
        if ka != kb and a[0] != b[0]:
            edge = 180 + 360 * min(ka, kb)
            t = (edge - a[0]) / (b[0] - a[0])
            lat = a[1] + t * (b[1] - a[1])
            cur.append((edge, lat))
            parts.append(cur)
            cur = [(edge, lat), b]
        else:
            cur.append(b)
    parts.append(cur)

    def wrap(lon, ref):
        # bring lon into [-180, 180], keeping a boundary point on the side of its part
        while lon > 180:
            lon -= 360
        while lon < -180:
            lon += 360
        if abs(lon) == 180 and ref is not None:
            lon = 180.0 if ref > 0 else -180.0
        return lon

    out = []
    for part in parts:
        mid = sum(x for x, _ in part) / len(part)
        while mid > 180:
            mid -= 360
        while mid < -180:
            mid += 360
        q = [(wrap(x, mid), y) for x, y in part]
        q = [p for i, p in enumerate(q) if i == 0 or p != q[i - 1]]
        if len(q) >= 2:
            out.append(q)
    return out


def simplify_parts(parts):
    res = []
    for part in parts:
        ls = LineString(part).simplify(SIMPLIFY_TOL_DEG, preserve_topology=False)
        pts = [(round(x, 4), round(y, 4)) for x, y in ls.coords]
        pts = [p for i, p in enumerate(pts) if i == 0 or p != pts[i - 1]]
        if len(pts) == 1:
            pts = pts * 2
        res.append(pts)
    return res


# ======================================================================================
# Segment inference from a TeleGeography MultiLineString
# ======================================================================================
@dataclass
class Segment:
    a: str                      # node id
    b: str
    coords: list[tuple[float, float]]
    length_km: float
    connector: bool = False


@dataclass
class Inferred:
    segments: list[Segment]
    bus: dict[str, tuple[float, float]]
    notes: list[str] = field(default_factory=list)
    polyline_km: float = 0.0


def infer_segments(short: str, lines_in: list, landings: list[tuple[str, float, float]],
                   paths_only: bool = False) -> Inferred:
    """Segments of one system. With ``paths_only`` (a system modelled in part) only the route lines on the
    shortest paths between the given landings are kept (step 5b), so that loops and branches towards the
    left-out landings go too."""
    notes: list[str] = []
    lines = [[vkey(p) for p in ls] for ls in lines_in if len(ls) >= 2]
    # 1. cluster line ends that TG drew a little apart
    reps: list[tuple[float, float]] = []
    rep: dict = {}
    for ls in lines:
        for e in (ls[0], ls[-1]):
            if e in rep:
                continue
            best = None
            for r in reps:
                d = ddeg(r, e)
                if d < JOIN_TOL_DEG and (best is None or d < best[0]):
                    best = (d, r)
            rep[e] = best[1] if best else e
            if not best:
                reps.append(e)
    lines = [[rep[ls[0]]] + ls[1:-1] + [rep[ls[-1]]] for ls in lines]
    # 2. T-junctions: a line end lying on another line's interior
    for r in reps:
        for ls in lines:
            if r in ls:
                continue
            hit = None
            for i in range(len(ls) - 1):
                if abs(ls[i][0] - ls[i + 1][0]) > 180:
                    continue
                d, t = point_segment(r, ls[i], ls[i + 1])
                if d < JOIN_TOL_DEG and (hit is None or d < hit[0]):
                    hit = (d, t, i)
            if hit is None:
                continue
            d, t, i = hit
            if t < 0.02 or t > 0.98:
                v = ls[i] if t < 0.5 else ls[i + 1]
                lines = [[v if p == r else p for p in l2] for l2 in lines]
            else:
                ls.insert(i + 1, r)
    g = nx.Graph()
    for ls in lines:
        for a, b in pairwise(ls):
            if a != b:
                g.add_edge(a, b)
    # 3. snap landing points: to a free line end, else to the nearest vertex or edge point
    label: dict = {}
    for lid, lon, lat in landings:
        p = (round(lon, 5), round(lat, 5))
        ends = [v for v in g.nodes if g.degree(v) == 1 and v not in label]
        best = min(ends, key=lambda v: ddeg(v, p)) if ends else None
        if best is None or ddeg(best, p) > SNAP_TOL_DEG:
            best = min(g.nodes, key=lambda v: (ddeg(v, p), v in label))
            d = ddeg(best, p)
            be = None  # maybe closer to the inside of an edge
            for a, b in g.edges:
                if abs(a[0] - b[0]) > 180:
                    continue
                dd, t = point_segment(p, a, b)
                if be is None or dd < be[0]:
                    be = (dd, t, a, b)
            if be and be[0] < d - 0.01 and 0.02 < be[1] < 0.98 and be[0] <= SNAP_TOL_DEG:
                dd, t, a, b = be
                q = (round(a[0] + t * (b[0] - a[0]), 5), round(a[1] + t * (b[1] - a[1]), 5))
                g.remove_edge(a, b)
                g.add_edge(a, q)
                g.add_edge(q, b)
                best = q
        d = ddeg(best, p)
        if best in label:
            # co-located landing stations (e.g. Changi North/South share TG coordinates)
            q = p if p not in g else (p[0] + 1e-5, p[1])
            g.add_edge(best, q, connector=True)
            notes.append(f"{lid}: co-located with {label[best]} at the same geometry vertex; joined to it by a "
                         f"short connector ({great_circle_km(best, q):.1f} km, nominal minimum length applies)")
            best = q
        elif d > SNAP_TOL_DEG:
            q = p if p not in g else (p[0] + 1e-5, p[1])
            g.add_edge(best, q, connector=True)
            notes.append(f"{lid}: {d:.2f} deg from the nearest TG route vertex; joined by a straight connector "
                         f"of {great_circle_km(best, q):.1f} km")
            best = q
        label[best] = lid
    # 4. bridge geometry gaps (components)
    while nx.number_connected_components(g) > 1:
        comps = sorted(nx.connected_components(g), key=lambda c: (-sum(1 for v in c if v in label), min(c)))
        main = comps[0]
        bestpair = None
        for c in comps[1:]:
            for u in main:
                for v in c:
                    d = ddeg(u, v)
                    if bestpair is None or d < bestpair[0]:
                        bestpair = (d, u, v)
        _, u, v = bestpair
        g.add_edge(u, v, connector=True)
        notes.append(f"gap of {great_circle_km(u, v):.1f} km in the TG geometry bridged near "
                     f"({u[0]:.2f}, {u[1]:.2f})")
    # 5. prune dangling line ends that are not landings
    before = sum(great_circle_km(a, b) for a, b in g.edges)
    changed = True
    while changed:
        changed = False
        for v in list(g.nodes):
            if g.degree(v) <= 1 and v not in label:
                g.remove_node(v)
                changed = True
    pruned = before - sum(great_circle_km(a, b) for a, b in g.edges)
    if pruned > 50:
        notes.append(f"{pruned:,.0f} km of route lines that lead to no listed landing point were dropped")
    # 5b. a system modelled in part: keep only the shortest paths between its kept landings
    if paths_only:
        before = sum(great_circle_km(a, b) for a, b in g.edges)
        for a, b in g.edges:
            g.edges[a, b]["km"] = great_circle_km(a, b)
        on_path = set()
        ends = sorted(label)
        for i, u in enumerate(ends):
            for v in ends[i + 1:]:
                path = nx.shortest_path(g, u, v, weight="km")
                on_path |= {frozenset(e) for e in pairwise(path)}
        g.remove_edges_from([e for e in list(g.edges) if frozenset(e) not in on_path])
        g.remove_nodes_from([v for v in list(g.nodes) if g.degree(v) == 0])
        dropped = before - sum(great_circle_km(a, b) for a, b in g.edges)
        notes.append(f"system modelled in part: {dropped:,.0f} km of route lines off the shortest paths "
                     f"between the kept landings were dropped")
    # 6. key vertices and contraction into segments
    keys = set(label) | {v for v in g.nodes if g.degree(v) >= 3}
    bu_pts = sorted(v for v in keys if v not in label)
    names = dict(label)
    bus = {}
    for i, v in enumerate(bu_pts, 1):
        nid = f"bu-{short}-{i}"
        names[v] = nid
        bus[nid] = v
    segs, seen = [], set()
    for k in sorted(keys):
        for nb in sorted(g.neighbors(k)):
            if (k, nb) in seen:
                continue
            path = [k, nb]
            seen.add((k, nb))
            seen.add((nb, k))
            while path[-1] not in keys:
                cur = path[-1]
                nxt = [x for x in g.neighbors(cur) if x != path[-2] and (cur, x) not in seen]
                if not nxt:
                    break
                path.append(nxt[0])
                seen.add((cur, nxt[0]))
                seen.add((nxt[0], cur))
            conn = any(g.edges[a, b].get("connector") for a, b in pairwise(path))
            segs.append(Segment(names[path[0]], names[path[-1]], path, geod_len_km(path), conn))
    if any(s.a == s.b for s in segs):
        notes.append("loop segment(s) present")
    return Inferred(segs, bus, notes, sum(s.length_km for s in segs))


# ======================================================================================
# Main derivation
# ======================================================================================
def fmt(x, nd):
    return "" if x is None else f"{x:.{nd}f}"


def fmt_num(x):
    if x is None:
        return ""
    return str(int(round(x))) if abs(x - round(x)) < 1e-9 else f"{x:.1f}"


def parse_km(text):
    try:
        return float(str(text).replace(",", "").replace("km", "").strip())
    except ValueError:
        return None


def load_places():
    places = {}
    with open(HERE / "places.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            r["lon"], r["lat"] = float(r["lon"]), float(r["lat"])
            places[r["id"]] = r
    return places


def land_countries():
    import geopandas as gpd
    from shapely.geometry import Point

    gdf = gpd.read_file(NATURAL_EARTH, layer="countries")

    def lookup(lon, lat):
        pt = Point(lon, lat)
        hit = gdf[gdf.contains(pt)]
        if hit.empty:
            return ""
        code = str(hit.iloc[0]["id"]).zfill(3)
        return NUMERIC_ISO3.get(code, "?" + code)

    return lookup


def main() -> None:
    places = load_places()
    rates = price_classes(places)
    country_at = land_countries()

    nodes: dict[str, dict] = {}
    links: list[dict] = []
    features: list[dict] = []
    report = {"scaled": [], "connectors": [], "tbd": [], "tg_systems": [], "bu_land": [], "partial": []}

    def add_node(nid, name, kind, country, lon, lat, tg_id="", metro="", price=None, citation=""):
        if nid in nodes:
            return
        nodes[nid] = {"id": nid, "name": name, "kind": kind, "country": country, "lon": lon, "lat": lat,
                      "tg_id": tg_id, "metro": metro, "transit_price_usd_per_mbps_month": price,
                      "citation": citation}

    # ---------------- submarine systems ----------------
    geo21 = defaultdict(list)
    for f in json.loads((TG21 / "cable" / "cable-geo.json").read_text())["features"]:
        geo21[f["properties"]["slug"]].extend(f["geometry"]["coordinates"])
    tg24 = {c["id"]: c for c in json.loads((HERE / "tg24_extract.json").read_text())["cables"]}

    apg_danang_bu = None
    for sysd in SYSTEMS:
        if sysd.source == "TG21":
            cj = json.loads((TG21 / "cable" / f"{sysd.slug}.json").read_text())
            lands = []
            for link in cj["landing_points"]:
                lat, lon = map(float, link["latlon"].split(","))
                if str(link.get("is_tbd")).lower() == "true" or link["name"].lower().startswith("t.b.d"):
                    report["tbd"].append(f"{sysd.name}: {link['id']}")
                    continue
                lands.append((link["id"], lon, lat, link["name"]))
            lines = geo21[sysd.slug]
            tg_len = parse_km(cj.get("length"))
            src_key = "[TG21]"
            rfs_text = cj.get("rfs")
        else:
            cj = tg24[sysd.slug]
            lands = [(link["id"], link["lon"], link["lat"], link["name"]) for link in cj["landing_points"]]
            lines = cj["coordinates"]
            tg_len = parse_km(cj.get("length"))
            src_key = "[TG24]"
            rfs_text = cj.get("rfs")
        # a system modelled in part keeps only the landings in `keep`; the route lines that lead only to the
        # others are dropped with them (step 5 of the inference), and the length check uses the whole system
        partial_note = ""
        whole = None
        if sysd.keep:
            left_out = [x for x in lands if x[0] not in sysd.keep]
            lands = [x for x in lands if x[0] in sysd.keep]
            if len(lands) != len(sysd.keep):
                raise SystemExit(f"{sysd.slug}: kept landings {sysd.keep} not all in the TG landing list")
            whole = infer_segments(sysd.short, lines, [(i, x, y) for i, x, y, _ in lands + left_out]).polyline_km
            partial_note = (f"; {PARTIAL_CITE}: only the route between its landings "
                            + " and ".join(n for _, _, _, n in lands) + " is modelled; its landings "
                            + "; ".join(n for _, _, _, n in left_out) + " and the route lines towards them "
                            "are left out (outside the study area)")
            report["partial"].append((sysd, [n for _, _, _, n in lands], [n for _, _, _, n in left_out], whole))
        for lid, lon, lat, lname in lands:
            add_node(lid, lname, "landing", landing_country(lname, lon, lat), lon, lat, tg_id=lid,
                     citation=f"{src_key} landing point {lid}" + (" (A1.3)" if src_key == "[TG24]" else ""))
        inf = infer_segments(sysd.short, lines, [(i, x, y) for i, x, y, _ in lands], paths_only=bool(sysd.keep))
        total = inf.polyline_km
        check = total if whole is None else whole
        scale = 1.0
        scale_note = ""
        if tg_len and abs(check / tg_len - 1) > LENGTH_SCALE_THRESHOLD:
            scale = tg_len / check
            scale_note = (f"; segment lengths scaled x{scale:.3f} so the system total equals TG's stated "
                          f"{tg_len:,.0f} km (polyline {check:,.0f} km deviates {100 * (check / tg_len - 1):+.0f}%)")
            report["scaled"].append(f"{sysd.name}: polyline {check:,.0f} km vs TG {tg_len:,.0f} km -> x{scale:.3f}")
        for n in inf.notes:
            report["connectors"].append(f"{sysd.name}: {n}")
        for bid, (x, y) in inf.bus.items():
            cc = country_at(x, y)
            if cc:
                report["bu_land"].append(f"{bid} ({cc})")
            add_node(bid, f"{sysd.name} branching point {bid.rsplit('-', 1)[1]}", "junction", cc, x, y,
                     citation=(f"{src_key} {sysd.slug} geometry: vertex where >=3 route lines meet "
                               f"(inferred branching unit/junction)"))
        # capacity
        if sysd.cap is not None:
            base_cap, cap_cite, design = sysd.cap, sysd.cap_cite, (None if sysd.cap_cite.startswith("estimate") else sysd.cap)
        elif sysd.seg_cap:
            base_cap, cap_cite, design = None, sysd.cap_cite, None
        elif sysd.rfs and sysd.rfs >= 2015 and tg_len and tg_len < SHORT_SYSTEM_KM:
            base_cap = SHORT_SYSTEM_GBPS
            cap_cite = f"estimate: {SHORT_SYSTEM_CITE}; {sysd.name} design capacity not found (C2)"
            design = None
        else:
            base_cap, why = era_capacity(sysd.rfs)
            cap_cite = f"estimate: {why}; {sysd.name} design capacity not found (C2)"
            design = None
        segs = sorted(inf.segments, key=lambda s: (min(s.a, s.b), max(s.a, s.b), round(s.length_km, 3)))
        width = max(2, len(str(len(segs))))
        report["tg_systems"].append((sysd, len(segs), len(inf.bus), total, tg_len, scale))
        for i, s in enumerate(segs, 1):
            a, b, coords = s.a, s.b, list(s.coords)
            if a > b:
                a, b, coords = b, a, coords[::-1]
            lid = f"{sysd.short}:{i:0{width}d}"
            L = s.length_km * scale
            nominal = L < MIN_LINK_KM
            L = max(L, MIN_LINK_KM)
            pa, pb = coords[0], coords[-1]
            cap, dsg = base_cap, design
            if sysd.seg_cap == "aag":
                lons = (pa[0], pb[0])
                if all(x < 0 for x in lons):
                    cap = 2880.0
                elif any(x >= 119.0 or x < 0 for x in lons):
                    cap = 1920.0
                else:
                    cap = 2880.0
                dsg = cap
            elif sysd.seg_cap == "peace":
                cap = 192000.0 if (pa[1] >= 30.5 and pb[1] >= 30.5) else 96000.0
                dsg = cap
            rc = rates[submarine_class(pa, pb)]
            price = rc.per_km * L
            capex = sysd.capex if (i == 1 and sysd.capex) else None
            cit = [f"{src_key} {sysd.slug} geometry, segment {a}<->{b} inferred from the route lines "
                   f"(geodesic length){scale_note}{partial_note}"]
            if nominal:
                cit.append(f"co-located landing stations: nominal length {MIN_LINK_KM} km")
            if s.connector:
                cit.append("includes a straight connector/gap bridge added to the TG geometry (see SOURCES.md)")
            cit.append(("capacity " + cap_cite) if not cap_cite.startswith("estimate") else "capacity " + cap_cite)
            cit.append(rc.cite)
            cit.append(f"RFS {rfs_text} {src_key}" + (f"; {sysd.rfs_cite}" if sysd.rfs_cite else ""))
            if capex:
                cit.append(f"capex whole-system cost {sysd.capex_cite}, put on the first segment only")
            links.append({
                "id": lid, "from_node": a, "to_node": b, "kind": "submarine", "system": sysd.name,
                "capacity_gbps": cap, "design_capacity_gbps": dsg, "price_usd_per_mbps_month": price,
                "length_km": L, "route_factor": None, "status": sysd.status, "rfs_year": sysd.rfs,
                "capex_usd": capex, "tg_cable_id": sysd.slug, "citation": "; ".join(cit)})
            parts = simplify_parts(split_antimeridian(coords))
            geom = ({"type": "LineString", "coordinates": parts[0]} if len(parts) == 1
                    else {"type": "MultiLineString", "coordinates": parts})
            features.append({"type": "Feature", "properties": {
                "id": lid, "citation": f"{src_key} {sysd.slug} route geometry (c) TeleGeography, CC BY-NC-SA 3.0; "
                                       f"cut between {a} and {b}, simplified {SIMPLIFY_TOL_DEG} deg"},
                "geometry": geom})
        if sysd.slug == "asia-pacific-gateway-apg":
            # the BU where the Da Nang branch leaves the trunk (target of a proposed branch)
            for s in inf.segments:
                if "danang-vietnam" in (s.a, s.b):
                    other = s.b if s.a == "danang-vietnam" else s.a
                    if other.startswith("bu-"):
                        apg_danang_bu = other
    # ---------------- PEACE Singapore extension (no TG geometry) ----------------
    pe = PEACE_EXT
    kd = pe["kulhudhufushi"]
    add_node("kulhudhufushi-maldives", kd["name"], "landing", "MDV", kd["lon"], kd["lat"],
             tg_id="kulhudhufushi-maldives", citation="[TG24] landing point kulhudhufushi-maldives (A1.3)")
    seg_len = [geod_len_km(w) for w in pe["waypoints"]]
    k = pe["total_km"] / sum(seg_len)
    for i, (w, sl) in enumerate(zip(pe["waypoints"], seg_len, strict=True), 1):
        a, b = pe["path"][i - 1], pe["path"][i]
        coords = list(w)
        if a > b:
            a, b, coords = b, a, coords[::-1]
        L = sl * k
        rc = rates[submarine_class(coords[0], coords[-1])]
        lid = f"peacesg:{i:02d}"
        links.append({
            "id": lid, "from_node": a, "to_node": b, "kind": "submarine", "system": pe["system"],
            "capacity_gbps": 96000.0, "design_capacity_gbps": None,
            "price_usd_per_mbps_month": rc.per_km * L, "length_km": L, "route_factor": None,
            "status": "existing", "rfs_year": 2024, "capex_usd": None, "tg_cable_id": None,
            "citation": (f"{pe['cite']}; length: the 6,400 km total apportioned over the two legs by the length of "
                         f"a schematic route (estimate); capacity estimate: assumed equal to PEACE's cited 96 Tbps "
                         f"Pakistan-Egypt segment (A1.2); {rc.cite}")})
        features.append({"type": "Feature", "properties": {
            "id": lid, "citation": "estimate: schematic route through hand-placed sea waypoints (no TG geometry)"},
            "geometry": {"type": "LineString", "coordinates": simplify_parts([coords])[0]}})

    # ---------------- hubs, cities, junctions ----------------
    transit = {  # B2 IP transit medians, most recent year available
        "GBLON": (1.00, "10GigE median US$1.00/Mbps/month, Q2 2015 (B2, telecomnewsroom.com)"),
        "USLAX": (1.20, "10GigE median US$1.20/Mbps/month, Q2 2015 (B2, telecomnewsroom.com)"),
        "SGSIN": (4.00, "10GigE ~US$4/Mbps/month, 2015, derived: 4 x London's US$1.00 (B2/C3, TeleGeography blog 2018)"),
        "HKHKG": (7.00, "10GigE median US$7.00/Mbps/month, ~2013-14 (B2, TeleGeography via LIRNEasia)"),
        "JPTYO": (31.0, "GigE median US$31/Mbps/month, Q2 2009, the latest Tokyo figure (B2, commsupdate 2009-10-01)"),
        "KHPNH": (100.0, "~US$100/Mbps/month national wholesale for Cambodia, 2015 (B2, ESCAP/NIA via poandpo.com); country figure assigned to the capital"),
        "LAVTE": (100.0, "~US$100/Mbps/month national wholesale for Lao PDR, 2015 (B2, ESCAP/NIA via poandpo.com); country figure assigned to the capital"),
        "MMRGN": (100.0, "~US$100/Mbps/month national wholesale for Myanmar, 2015 (B2, ESCAP/NIA via poandpo.com); country figure assigned to Yangon, the main gateway city"),
        # E21: hubs without a city figure get the figure of their price class (B2 treats major US and
        # European cities as one class: GigE 10-14 in Q2 2008, ~10 in Q2 2009)
        "USSJC": (1.20, "estimate: 10GigE US$1.20/Mbps/month, Q2 2015, Los Angeles's median (B2, telecomnewsroom.com) "
                        "applied to San Jose: no San Jose figure in B2, and B2 treats major US and European "
                        "cities as one price class (GigE 10-14 in Q2 2008, ~10 in Q2 2009); Miami also 1.20 in Q2 2015"),
        "USNYC": (1.20, "estimate: 10GigE US$1.20/Mbps/month, Q2 2015, the Los Angeles and Miami median (B2, "
                        "telecomnewsroom.com) applied to New York: no 2015 10GigE New York figure (C2), and B2 treats "
                        "major US and European cities as one price class; cross-check: Q3 2011 GigE New York 7 vs "
                        "London 6 (B2, commsupdate) gives 7/6 x London's 1.00 = 1.17"),
        "DEFRA": (1.00, "estimate: 10GigE US$1.00/Mbps/month, Q2 2015, London's median (B2, telecomnewsroom.com) "
                        "applied to Frankfurt: city-specific price not found (B2, C2), and B2 treats major US and "
                        "European cities as one price class (GigE 10-14 in Q2 2008, ~10 in Q2 2009)"),
        "NLAMS": (1.00, "estimate: 10GigE US$1.00/Mbps/month, Q2 2015, London's median (B2, telecomnewsroom.com) "
                        "applied to Amsterdam: city-specific price not found (B2, C2), and B2 treats major US and "
                        "European cities as one price class (GigE 10-14 in Q2 2008, ~10 in Q2 2009)"),
        "FRMRS": (1.00, "estimate: 10GigE US$1.00/Mbps/month, Q2 2015, London's median (B2, telecomnewsroom.com) "
                        "applied to Marseille: city-specific price not found (B2, C2), and B2 treats major US and "
                        "European cities as one price class (GigE 10-14 in Q2 2008, ~10 in Q2 2009)"),
    }
    metro_of = {}
    for city, lids in BACKHAUL.items():
        for lid in lids:
            metro_of[lid] = city
    for pid, p in places.items():
        price, pc = transit.get(pid, (None, ""))
        cit = p["citation"] + (f"; transit price {pc}" if pc else "")
        add_node(pid, p["name"], p["kind"], p["country"], p["lon"], p["lat"], price=price, citation=cit)
    # proposed Qinzhou landing
    add_node(QINZHOU_CLS["id"], QINZHOU_CLS["name"], "landing", "CHN", QINZHOU_CLS["lon"], QINZHOU_CLS["lat"],
             metro="CNQZH", citation=QINZHOU_CLS["citation"])
    for lid, city in metro_of.items():
        if lid in nodes:
            nodes[lid]["metro"] = city

    def xy(nid):
        n = nodes[nid]
        return (n["lon"], n["lat"])

    # ---------------- landing backhaul ----------------
    sys_at = defaultdict(dict)  # landing -> system -> (max capacity, statuses)
    for link in links:
        for end in (link["from_node"], link["to_node"]):
            if nodes[end]["kind"] == "landing":
                cur = sys_at[end].get(link["system"], (0.0, set()))
                sys_at[end][link["system"]] = (max(cur[0], link["capacity_gbps"]), cur[1] | {link["status"]})
    for lid, city in sorted(metro_of.items()):
        if lid not in nodes:
            raise SystemExit(f"backhaul table names unknown landing {lid}")
        if lid in BACKHAUL_NO_LINK:
            continue
        gc = great_circle_km(xy(lid), xy(city))
        kind = "metro" if gc <= METRO_MAX_KM else "terrestrial"
        factor = DEFAULT_ROUTE_FACTOR
        L = gc * factor
        cap = sum(c for c, _ in sys_at[lid].values())
        statuses = set().union(*(s for _, s in sys_at[lid].values()))
        status = "existing" if "existing" in statuses else "planned"
        cc, ccity = nodes[lid]["country"], nodes[city]["country"]
        cname = COUNTRY_NAME.get(cc, cc)
        sysname = (f"Domestic backhaul {cname}" if cc == ccity
                   else f"Backhaul {cname}-{COUNTRY_NAME.get(ccity, ccity)}")
        rc = rates["terrestrial"]
        links.append({
            "id": f"bh:{lid}", "from_node": lid, "to_node": city, "kind": kind,
            "system": sysname, "capacity_gbps": cap, "design_capacity_gbps": None,
            "price_usd_per_mbps_month": rc.per_km * L, "length_km": L, "route_factor": factor,
            "status": status, "rfs_year": None, "capex_usd": None, "tg_cable_id": None,
            "citation": (f"length estimate: great circle {gc:.1f} km x {factor} ({ROUTE_FACTOR_CITE}); "
                         f"capacity estimate: sum of the capacities of the {len(sys_at[lid])} submarine system(s) "
                         f"landing at {lid} (backhaul assumed non-binding); {rc.cite}"
                         + (f"; {BACKHAUL_NOTE[lid]}" if lid in BACKHAUL_NOTE else ""))})

    # ---------------- terrestrial routes ----------------
    def hop_gc(a, b, via=()):
        pts = [a, *via, b]
        return sum(great_circle_km(xy(p), xy(q)) for p, q in pairwise(pts))

    def add_route(r: Route):
        hops = list(pairwise(r.path))
        gcs = [hop_gc(a, b) for a, b in hops]
        if r.total_km:
            factor = r.total_km / sum(gcs)
            fcite = (f"length: great circle x {factor:.2f} so the route totals {r.total_km:,.0f} km "
                     f"({r.total_cite})")
        else:
            factor = r.factor or DEFAULT_ROUTE_FACTOR
            fcite = f"length estimate: great circle x {factor} ({r.factor_cite or ROUTE_FACTOR_CITE})"
        width = max(2, len(str(len(hops))))
        for i, ((a, b), gc) in enumerate(zip(hops, gcs, strict=True), 1):
            L = gc * factor
            rc = rates["terrestrial"]
            capex = r.capex if (i == 1 and r.capex) else None
            cit = [r.cite] if r.cite else []
            cit += [f"{fcite}; hop great circle {gc:.1f} km",
                    ("capacity " + r.cap_cite), rc.cite]
            if capex:
                cit.append(f"capex {r.capex_cite}, whole-route cost put on the first hop only")
            x, y = (a, b) if a < b else (b, a)
            links.append({
                "id": f"{r.key}:{i:0{width}d}", "from_node": x, "to_node": y,
                "kind": "terrestrial", "system": r.system, "capacity_gbps": r.cap, "design_capacity_gbps": r.design,
                "price_usd_per_mbps_month": rc.per_km * L, "length_km": L, "route_factor": factor,
                "status": r.status, "rfs_year": r.rfs, "capex_usd": capex, "tg_cable_id": None,
                "citation": "; ".join(c for c in cit if c)})

    for r in ROUTES:
        add_route(r)
    for key, system, hops in BACKBONE_HOPS:
        for i, (a, b) in enumerate(hops, 1):
            gc = great_circle_km(xy(a), xy(b))
            L = gc * DEFAULT_ROUTE_FACTOR
            rc = rates["terrestrial"]
            x, y = (a, b) if a < b else (b, a)
            links.append({
                "id": f"{key}:{i:02d}", "from_node": x, "to_node": y,
                "kind": "terrestrial", "system": system, "capacity_gbps": NONBINDING_BACKBONE_GBPS, "design_capacity_gbps": None,
                "price_usd_per_mbps_month": rc.per_km * L, "length_km": L, "route_factor": DEFAULT_ROUTE_FACTOR,
                "status": "existing", "rfs_year": None, "capex_usd": None, "tg_cable_id": None,
                "citation": (f"length estimate: great circle {gc:.1f} km x {DEFAULT_ROUTE_FACTOR} ({ROUTE_FACTOR_CITE}); "
                             f"capacity {NONBINDING_CITE}; {rc.cite}")})

    for key, system, a, b, basis in ESTIMATED_LAND:
        gc = great_circle_km(xy(a), xy(b))
        L = gc * DEFAULT_ROUTE_FACTOR
        rc = rates["terrestrial"]
        x, y = (a, b) if a < b else (b, a)
        links.append({
            "id": f"{key}:01", "from_node": x, "to_node": y,
            "kind": "terrestrial", "system": system, "capacity_gbps": NONBINDING_BACKBONE_GBPS,
            "design_capacity_gbps": None, "price_usd_per_mbps_month": rc.per_km * L, "length_km": L,
            "route_factor": DEFAULT_ROUTE_FACTOR, "status": "existing", "rfs_year": None, "capex_usd": None,
            "tg_cable_id": None,
            "citation": (f"estimate: existing link of unknown date: {basis}; length great circle {gc:.1f} km x "
                         f"{DEFAULT_ROUTE_FACTOR} ({ROUTE_FACTOR_CITE}); capacity {NONBINDING_CITE}; {rc.cite}")})

    # ---------------- transatlantic aggregate London-New York (E20) ----------------
    ta = TRANSATLANTIC
    members = []
    for path in sorted((TG21 / "cable").glob("*.json")):
        cj = json.loads(path.read_text())
        if not isinstance(cj, dict) or "landing_points" not in cj:
            continue
        us = [link["name"].split(", ")[0] for link in cj["landing_points"] if link["name"].endswith(ta["us_landings"])]
        eu = [link["name"].split(", ")[0] for link in cj["landing_points"] if link["name"].endswith(ta["eu_landings"])]
        if us and eu:
            members.append((str(cj.get("rfs") or "")[:4], cj["name"], "/".join(sorted(us)), "/".join(sorted(eu)),
                            path.stem, cj))
    members.sort()
    rep_sys = next(m for m in members if m[4] == ta["route_slug"])
    rep_lp = {link["id"]: tuple(map(float, link["latlon"].split(",")))[::-1] for link in rep_sys[5]["landing_points"]}
    a, b = ta["a"], ta["b"]
    gc = great_circle_km(xy(a), xy(b))
    L = gc * DEFAULT_ROUTE_FACTOR
    rc = rates["transatlantic"]
    # cross-check: the representative member's stated length plus its landings' land legs to the two cities
    eu_lp = next(p for i, p in rep_lp.items() if i.endswith("united-kingdom"))
    us_lp = next(p for i, p in rep_lp.items() if i.endswith("united-states"))
    land_legs = (great_circle_km(xy(a), eu_lp) + great_circle_km(us_lp, xy(b))) * DEFAULT_ROUTE_FACTOR
    rep_len = parse_km(rep_sys[5].get("length"))
    lid = f"{ta['key']}:01"
    links.append({
        "id": lid, "from_node": a, "to_node": b, "kind": "submarine", "system": ta["system"],
        "capacity_gbps": TRANSATLANTIC_GBPS, "design_capacity_gbps": None,
        "price_usd_per_mbps_month": rc.per_km * L, "length_km": L, "route_factor": DEFAULT_ROUTE_FACTOR,
        "status": "existing", "rfs_year": None, "capex_usd": None, "tg_cable_id": None,
        "citation": (f"estimate: aggregate of the transatlantic systems joining the United Kingdom to New York/New "
                     f"Jersey, not a single cable ([TG21] lists {len(members)}: "
                     + "; ".join(f"{m[1]} {m[0]}, {m[3]}-{m[2]}" for m in members)
                     + f"); {ta['purpose']}; existing, rfs_year empty (aggregate of systems of different dates, "
                     f"the first in service in {members[0][0]}); length great circle {gc:.1f} km x "
                     f"{DEFAULT_ROUTE_FACTOR} ({ROUTE_FACTOR_CITE}); cross-check: {rep_sys[1]} {rep_len:,.0f} km "
                     f"[TG21] + London and New York land legs x {DEFAULT_ROUTE_FACTOR} = {rep_len + land_legs:,.0f} km; "
                     f"capacity {TRANSATLANTIC_CITE}; {rc.cite}; geometry: {rep_sys[1]}'s [TG21] route, drawn as a "
                     f"representative path only")})
    rep_lines = geo21[ta["route_slug"]]
    if len(rep_lines) != 1:
        raise SystemExit(f"{ta['route_slug']}: expected one route line, got {len(rep_lines)}")
    line = [tuple(p) for p in rep_lines[0]]
    if great_circle_km(line[0], xy(a)) > great_circle_km(line[-1], xy(a)):
        line = line[::-1]
    coords = [xy(a)] + line + [xy(b)]
    features.append({"type": "Feature", "properties": {
        "id": lid, "citation": (f"estimate: representative path only (the link aggregates {len(members)} systems): "
                                f"[TG21] {ta['route_slug']} route geometry (c) TeleGeography, CC BY-NC-SA 3.0, "
                                f"simplified {SIMPLIFY_TOL_DEG} deg, joined by straight lines to London and New York")},
        "geometry": {"type": "LineString", "coordinates": simplify_parts(split_antimeridian(coords))[0]}})

    # ---------------- proposed builds ----------------
    for key, system, a, b, via in PROPOSED_LAND:
        direct = great_circle_km(xy(a), xy(b))
        gc = hop_gc(a, b, via)
        L = gc * DEFAULT_ROUTE_FACTOR
        factor = L / direct
        rc = rates["terrestrial"]
        x, y = (a, b) if a < b else (b, a)
        via_txt = (" via " + ", ".join(via) + f" (great-circle sum {gc:.1f} km)") if via else ""
        links.append({
            "id": f"{key}:01", "from_node": x, "to_node": y, "kind": "terrestrial", "system": system,
            "capacity_gbps": MAJOR_XB_GBPS, "design_capacity_gbps": None,
            "price_usd_per_mbps_month": rc.per_km * L, "length_km": L, "route_factor": factor,
            "status": "proposed", "rfs_year": None, "capex_usd": CAPEX_LAND_USD_PER_KM * L, "tg_cable_id": None,
            "citation": (f"proposed build for the Guangxi convergence-hub scenario (seed report III(II); A3: Nanning "
                         f"international gateway licensed 2024); length estimate: great circle {direct:.1f} km"
                         f"{via_txt} x 1.3 ({ROUTE_FACTOR_CITE}); route_factor = length / direct great circle; "
                         f"capacity {MAJOR_XB_CITE}; capex {CAPEX_LAND_CITE}; {rc.cite}")})
    # Qinzhou landing backhaul (proposed)
    gc = great_circle_km(xy(QINZHOU_CLS["id"]), xy("CNQZH"))
    L = gc * DEFAULT_ROUTE_FACTOR
    rc = rates["terrestrial"]
    links.append({
        "id": f"bh:{QINZHOU_CLS['id']}", "from_node": "CNQZH", "to_node": QINZHOU_CLS["id"], "kind": "metro",
        "system": "Proposed Guangxi hub: Qinzhou landing backhaul", "capacity_gbps": PROPOSED_SUB_GBPS,
        "design_capacity_gbps": None, "price_usd_per_mbps_month": rc.per_km * L, "length_km": L,
        "route_factor": DEFAULT_ROUTE_FACTOR, "status": "proposed", "rfs_year": None,
        "capex_usd": CAPEX_LAND_USD_PER_KM * L, "tg_cable_id": None,
        "citation": (f"length estimate: great circle {gc:.1f} km x 1.3 ({ROUTE_FACTOR_CITE}); capacity estimate: "
                     f"equal to the proposed cable it serves; capex {CAPEX_LAND_CITE}; {rc.cite}")})
    for key, system, a, b, wps in PROPOSED_SUB:
        if b == "APG_DANANG_BU":
            b = apg_danang_bu
            wps = list(wps) + [xy(b)]
        coords = [tuple(p) for p in wps]
        coords[0] = xy(a)
        coords[-1] = xy(b)
        L = geod_len_km(coords)
        rc = rates[submarine_class(coords[0], coords[-1])]
        cap_cite = ERA_CAPACITY[-1][2]
        x, y = (a, b) if a < b else (b, a)
        if a > b:
            coords = coords[::-1]
        lid = f"{key}:01"
        links.append({
            "id": lid, "from_node": x, "to_node": y, "kind": "submarine", "system": system,
            "capacity_gbps": PROPOSED_SUB_GBPS, "design_capacity_gbps": None,
            "price_usd_per_mbps_month": rc.per_km * L, "length_km": L, "route_factor": None,
            "status": "proposed", "rfs_year": None, "capex_usd": CAPEX_SUB_USD_PER_KM * L, "tg_cable_id": None,
            "citation": (f"proposed build for the Guangxi convergence-hub scenario (seed report III(II); A3: no "
                         f"international cable lands in the Beibu Gulf today); length estimate: geodesic length of a "
                         f"schematic sea route through hand-placed waypoints; capacity estimate: {cap_cite}; "
                         f"capex {CAPEX_SUB_CITE}; {rc.cite}")})
        features.append({"type": "Feature", "properties": {
            "id": lid, "citation": "estimate: schematic route through hand-placed sea waypoints (proposed build)"},
            "geometry": {"type": "LineString", "coordinates": simplify_parts([coords])[0]}})

    # ---------------- checks ----------------
    ids = [link["id"] for link in links]
    assert len(ids) == len(set(ids)), "duplicate link ids"
    for link in links:
        for end in (link["from_node"], link["to_node"]):
            assert end in nodes, f"{link['id']}: unknown node {end}"
    g = nx.MultiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from((link["from_node"], link["to_node"]) for link in links)
    comps = sorted(nx.connected_components(g), key=len, reverse=True)
    report["components"] = comps

    write_outputs(nodes, links, features, report, rates)


def write_outputs(nodes, links, features, report, rates):
    OUT.mkdir(parents=True, exist_ok=True)
    ncols = ["id", "name", "kind", "country", "lon", "lat", "tg_id", "metro",
             "transit_price_usd_per_mbps_month", "citation"]
    with open(OUT / "nodes.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(ncols)
        for nid in sorted(nodes):
            n = nodes[nid]
            w.writerow([n["id"], n["name"], n["kind"], n["country"], f"{n['lon']:.4f}", f"{n['lat']:.4f}",
                        n["tg_id"], n["metro"], fmt(n["transit_price_usd_per_mbps_month"], 2), n["citation"]])
    lcols = ["id", "from_node", "to_node", "kind", "system", "capacity_gbps", "design_capacity_gbps",
             "price_usd_per_mbps_month", "length_km", "route_factor", "status", "rfs_year", "capex_usd",
             "tg_cable_id", "citation"]
    with open(OUT / "links.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(lcols)
        for link in sorted(links, key=lambda r: r["id"]):
            w.writerow([link["id"], link["from_node"], link["to_node"], link["kind"], link["system"], fmt_num(link["capacity_gbps"]),
                        fmt_num(link["design_capacity_gbps"]), f"{link['price_usd_per_mbps_month']:.6f}",
                        f"{link['length_km']:.1f}", fmt(link["route_factor"], 3), link["status"],
                        "" if link["rfs_year"] is None else str(link["rfs_year"]),
                        "" if link["capex_usd"] is None else str(int(round(link["capex_usd"]))),
                        link["tg_cable_id"] or "", link["citation"]])
    fc = {"type": "FeatureCollection",
          "attribution": "Submarine route geometry derived from TeleGeography Submarine Cable Map data "
                         "(c) TeleGeography, CC BY-NC-SA 3.0; simplified.",
          "features": sorted(features, key=lambda f: f["properties"]["id"])}
    (OUT / "geometry.geojson").write_text(json.dumps(fc, separators=(",", ":"), ensure_ascii=False) + "\n",
                                          encoding="utf-8")
    write_sources(nodes, links, report, rates)
    kinds = defaultdict(int)
    for n in nodes.values():
        kinds[n["kind"]] += 1
    lk = defaultdict(int)
    for link in links:
        lk[link["kind"]] += 1
    print("nodes", len(nodes), dict(kinds))
    print("links", len(links), dict(lk))
    print("components", [len(c) for c in report["components"]])


def write_sources(nodes, links, report, rates):
    from sources_text import render  # tools/china_asean/sources_text.py
    (OUT / "SOURCES.md").write_text(render(nodes, links, report, rates, globals()), encoding="utf-8")


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(HERE))
    main()
