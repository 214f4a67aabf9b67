"""Import TeleGeography submarine cable map data into a cablesim topology.

TeleGeography publishes its Submarine Cable Map data (© TeleGeography, CC BY-NC-SA 3.0) as
``cable/cable-geo.json`` (one MultiLineString feature per cable), ``landing-point/
landing-point-geo.json`` (one Point feature per landing point) and one ``cable/<slug>.json``
file per cable. Two layouts are read:

- **API v2** (the June 2021 snapshot): per-cable ``landing_points`` carry a ``"lat,lon"``
  string (``latlon``) and ``is_tbd`` as the text ``"true"``/``"false"``; ``length`` is text
  such as ``"1,055 km"`` or ``"n.a."``; ``rfs`` is text such as ``"2008 August"`` or
  ``"2021 Q4"``; cable features carry ``slug``, landing-point features ``slug`` (and a
  numeric ``id``);
- **current**: per-cable ``landing_points`` carry only ``id``, ``name``, ``country`` and
  ``is_tbd`` (coordinates only in ``landing-point-geo.json``, joined by id); cables also
  have ``rfs_year``, ``is_planned`` and ``suppliers``; features carry a string ``id``; the
  GeoJSON files may carry a ``crs`` member (WGS84 / CRS84 is the only one accepted).

Members this module does not use are ignored (and listed in the import report), never
fatal. Structural problems are: unreadable or truncated JSON, a missing required member
(``features``, ``landing_points``, a landing point's ``id``, a feature's cable id), members
of the wrong JSON type, and bad coordinates (not numbers, not finite, outside lon/lat
range, an unparseable ``latlon``). They raise :class:`cablesim.ImportFormatError` listing
every problem, each naming the file, the feature or landing point (number and id) and the
field. Free-text values that cannot be read (a ``length`` of ``"n.a."``, an ``rfs`` of
``"t.b.d."``) are not errors: they are counted in the import report with their file and
field, and the documented default applies.

The segment graph of each cable (which landing points are adjacent along it) is inferred
from its route lines by :func:`infer_segments`: line ends drawn a little apart are merged,
T-junctions are found, landing points are snapped to line ends, vertices or edges within
a tolerance, gaps are bridged, dangling lines are pruned, and every vertex where three or
more lines meet becomes a branching unit (a ``junction`` node). Cables without usable
geometry fall back to a documented approximation (:func:`approximate_segments`, the
shortest tree joining their landing points). Every fallback, every t.b.d. landing point,
every unparseable field and every unknown country name is counted in the import report
(:func:`write_import_report`), and every cable appears in it with its outcome.

Numbers the public data lacks are documented defaults, flagged ``estimate:`` in the
citations: capacity by RFS era (:data:`CAPACITY_BY_RFS`) unless a user CSV gives it, lease
prices per km by route class (:data:`PRICE_RATES`, the rates ``tools/derive_china_asean.py``
derived from facts-inputs B3), and one ``city`` node per country with its backhaul links.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString
from shapely.geometry.base import BaseGeometry

from cablesim._atomic import atomic_write_text
from cablesim._errors import ImportFormatError, Problem, did_you_mean
from cablesim._version import __version__
from cablesim.io.topology import read_csv_text, save_topology
from cablesim.network import Network
from cablesim.schema import Column
from cablesim.validation import TableSource, coerce_table

__all__ = [
    "ImportSettings",
    "CableSegment",
    "SegmentInference",
    "TelegeographyImport",
    "COUNTRY_ISO3",
    "CAPACITY_BY_RFS",
    "PRICE_RATES",
    "UNKNOWN_COUNTRY",
    "HUB_LANDING_OVERRIDES",
    "REPORT_JSON",
    "REPORT_MD",
    "country_iso3",
    "parse_length_km",
    "parse_rfs_year",
    "capacity_default",
    "price_class",
    "load_capacity_csv",
    "infer_segments",
    "approximate_segments",
    "read_telegeography",
    "import_telegeography",
    "write_import_report",
    "import_report_markdown",
]

REPORT_JSON = "import_report.json"
REPORT_MD = "import_report.md"

KM_PER_DEG = 6371.0088 * math.pi / 180.0
"""Kilometres per degree of a great circle on the mean Earth sphere (111.195 km)."""

_GEOD = Geod(ellps="WGS84")


# ============================================================================== settings
@dataclass(frozen=True)
class ImportSettings:
    """Tolerances and documented defaults of the importer.

    Attributes
    ----------
    snap_km : float
        A landing point is attached to its cable's route where a line end, vertex or edge
        lies within this distance (default 13.3 km = 0.12 degree, the tolerance of
        ``tools/derive_china_asean.py``); farther away it is joined by a straight connector
        (fallback ``landing_connector``).
    join_km : float
        Line ends closer than this are one point, and a line end this close to another
        line's interior is a T-junction (default 5.6 km = 0.05 degree, as there).
    length_scale_threshold : float
        When TeleGeography's stated length exceeds the summed geodesic length of a cable's
        segments by more than this fraction, the segment lengths are scaled up to the
        stated total (default 0.15, as there; fallback ``length_scaled``). When the drawing
        is longer than the stated length by more than this fraction, the drawn lengths are
        kept and the mismatch is reported (``length_mismatch``): a drawing cuts corners, so
        its length is a lower bound of the route, and scaling below it could make a
        segment shorter than the great circle between its ends.
    min_link_km : float
        Nominal length of a link between co-located landing stations (default 0.1 km).
    route_factor : float
        Real route length over great-circle length, for approximated cables without a
        stated length and for backhaul links (default 1.3: facts-inputs A6, shortest
        conduit paths give a median inflation of ~1.3, Bozkurt et al.; real routes
        1.2-1.4 x great circle).
    simplify_deg : float
        Tolerance of the route simplification written to ``geometry.geojson`` (default
        0.01 degree, about 1 km); lengths are measured on the unsimplified routes.
    metro_max_km : float
        Backhaul links up to this length are kind ``metro``, longer ones ``terrestrial``
        (default 100 km, as in the China-ASEAN topology).
    backhaul_min_km : float
        Floor on a backhaul link's length (default 10 km, estimate: the landing station's
        distance to the metro point of presence where the country's city node stands).
    long_backhaul_km : float
        Backhaul links longer than this are flagged in their citation and the report as
        stand-ins for the national backbone that may cross the sea (default 1,000 km).
    """

    snap_km: float = 0.12 * KM_PER_DEG
    join_km: float = 0.05 * KM_PER_DEG
    length_scale_threshold: float = 0.15
    min_link_km: float = 0.1
    route_factor: float = 1.3
    simplify_deg: float = 0.01
    metro_max_km: float = 100.0
    backhaul_min_km: float = 10.0
    long_backhaul_km: float = 1000.0


ROUTE_FACTOR_CITE = ("facts-inputs A6: shortest conduit paths give a median inflation ~1.3, "
                     "Bozkurt et al.; real routes 1.2-1.4 x great circle")

# ============================================================================== defaults
CAPACITY_BY_RFS: tuple[tuple[int, float, str], ...] = (
    (2010, 2880.0, "RFS <= 2010: 2.88 Tbps, AAG's 2009 design figure on its largest "
                   "segments (facts-inputs A1.2)"),
    (2014, 15000.0, "RFS 2011-2014: 15 Tbps, ASE's 2012 design (facts-inputs A1.2; SJC "
                    "2013: 17 Tbps)"),
    (2018, 24000.0, "RFS 2015-2018: 24 Tbps, SeaMeWe-5's 2016 design (facts-inputs A1.2; "
                    "SEA-US 2017: 20 Tbps)"),
    (9999, 144000.0, "RFS >= 2019: 144 Tbps, the PLCN/ALC design (facts-inputs A1.2; SJC2 "
                     "126, ADC 140-160 Tbps)"),
)
"""Default design capacity (Gbps, per direction) by RFS era when no figure is given:
``(last RFS year of the era, Gbps, why)``. The same anchors as
``tools/derive_china_asean.py`` (facts-inputs A1.2)."""

_UNKNOWN_RFS_CAPACITY = (CAPACITY_BY_RFS[0][1],
                         "RFS unknown: the oldest era's 2.88 Tbps (conservative), AAG's 2009 "
                         "design figure (facts-inputs A1.2)")


@dataclass(frozen=True)
class PriceRate:
    """A lease price per Mbps per month per km of route, with its derivation."""

    name: str
    usd_per_mbps_month_km: float
    applies_to: str
    cite: str


PRICE_RATES: Mapping[str, PriceRate] = {
    "intra_asia": PriceRate(
        "intra_asia", 4.280e-04, "submarine segments not matched by another class",
        "B3 Hong Kong-Tokyo 10G wave US$16,042/month (Q2 2014, dri-korea) = US$1.6042/Mbps/"
        "month over 3,749 km (great circle x 1.3)"),
    "transpacific": PriceRate(
        "transpacific", 1.393e-04,
        "submarine segments with an end east of 144E or west of 0 (the Americas and the "
        "Atlantic)",
        "B3 Los Angeles-Tokyo 10G wave US$16,000/month (Q2 2014, dri-korea) = US$1.6000/Mbps/"
        "month over 11,485 km (great circle x 1.3)"),
    "asia_europe": PriceRate(
        "asia_europe", 1.069e-03,
        "submarine segments with both ends between 0 and 80E (Europe, Africa, Middle East, "
        "western India)",
        "B3 London-Mumbai 10G wave ~US$175,000/month (Q1 2012, telecomasia) x 0.78^2.25 (B3 "
        "trend -22%/yr) to Q2 2014 = US$10.0058/Mbps/month over 9,360 km (great circle x "
        "1.3)"),
    "terrestrial": PriceRate(
        "terrestrial", 3.043e-04, "backhaul (metro and terrestrial) links",
        "B3 Frankfurt-London 10G wave US$724/month (c. 2020-21, TeleGeography blog) / (0.78^2 "
        "x 0.86^5) (B3 trends -22%/yr to 2016, -14%/yr since) back to Q2 2014 = US$0.2530/"
        "Mbps/month over 831 km (great circle x 1.3)"),
}
"""Lease price rates (USD per Mbps per month per km, Q2-2014 price level), the rates that
``tools/derive_china_asean.py`` derived from facts-inputs B3 (see
``topology/china_asean/SOURCES.md``, section Prices); :func:`price_class` picks one."""


def price_class(lon_a: float, lon_b: float) -> str:
    """Price class of a submarine segment from its end longitudes.

    The rule of ``tools/derive_china_asean.py``, applied worldwide: ``transpacific`` when an
    end lies east of 144E or west of the prime meridian, else ``asia_europe`` when both ends
    lie west of 80E, else ``intra_asia``.
    """
    if any(x >= 144.0 or x < 0.0 for x in (lon_a, lon_b)):
        return "transpacific"
    if lon_a < 80.0 and lon_b < 80.0:
        return "asia_europe"
    return "intra_asia"


def _price_cite(name: str) -> str:
    rate = PRICE_RATES[name]
    return (f"price estimate: {name} rate US${rate.usd_per_mbps_month_km:.3e}/Mbps/month/km x "
            f"length ({rate.cite}; Q2-2014 level)")


def capacity_default(rfs_year: int | None) -> tuple[float, str, str]:
    """Default design capacity for a cable of RFS ``rfs_year``.

    Returns
    -------
    (float, str, str)
        Gbps, the era label (e.g. ``"2015-2018"``), and why.
    """
    if rfs_year is None:
        return _UNKNOWN_RFS_CAPACITY[0], "unknown", _UNKNOWN_RFS_CAPACITY[1]
    first = None
    for last, gbps, why in CAPACITY_BY_RFS:
        if rfs_year <= last:
            era = (f"<= {last}" if first is None else
                   (f">= {first}" if last == 9999 else f"{first}-{last}"))
            return gbps, era, why
        first = last + 1
    raise AssertionError("unreachable")  # pragma: no cover


# ============================================================================== countries
_COUNTRY_TABLE = """
Afghanistan=AFG;Aland Islands=ALA;Åland Islands=ALA;Albania=ALB;Algeria=DZA;
American Samoa=ASM;Andorra=AND;Angola=AGO;Anguilla=AIA;Antarctica=ATA;
Antigua and Barbuda=ATG;Argentina=ARG;Armenia=ARM;Aruba=ABW;Australia=AUS;Austria=AUT;
Azerbaijan=AZE;Bahamas=BHS;The Bahamas=BHS;Bahrain=BHR;Bangladesh=BGD;Barbados=BRB;
Belarus=BLR;Belgium=BEL;Belize=BLZ;Benin=BEN;Bermuda=BMU;Bhutan=BTN;Bolivia=BOL;
Bonaire=BES;Bonaire, Sint Eustatius and Saba=BES;Sint Eustatius and Saba=BES;
Saba=BES;Sint Eustatius=BES;Bosnia and Herzegovina=BIH;Botswana=BWA;Bouvet Island=BVT;
Brazil=BRA;British Indian Ocean Territory=IOT;Brunei=BRN;Brunei Darussalam=BRN;
Bulgaria=BGR;Burkina Faso=BFA;Burundi=BDI;Cabo Verde=CPV;Cape Verde=CPV;Cambodia=KHM;
Cameroon=CMR;Canada=CAN;Cayman Islands=CYM;Central African Republic=CAF;Chad=TCD;
Chile=CHL;China=CHN;Christmas Island=CXR;Cocos (Keeling) Islands=CCK;Colombia=COL;
Comoros=COM;Congo, Dem. Rep.=COD;Democratic Republic of the Congo=COD;
Congo, Rep.=COG;Republic of the Congo=COG;Congo=COG;Cook Islands=COK;Costa Rica=CRI;
Côte d'Ivoire=CIV;Cote d'Ivoire=CIV;Côte d’Ivoire=CIV;Ivory Coast=CIV;Croatia=HRV;
Cuba=CUB;Curaçao=CUW;Curacao=CUW;Cyprus=CYP;Czechia=CZE;Czech Republic=CZE;Denmark=DNK;
Djibouti=DJI;Dominica=DMA;Dominican Republic=DOM;Ecuador=ECU;Egypt=EGY;El Salvador=SLV;
Equatorial Guinea=GNQ;Eritrea=ERI;Estonia=EST;Eswatini=SWZ;Ethiopia=ETH;
Falkland Islands=FLK;Falkland Islands (Malvinas)=FLK;Faroe Islands=FRO;Fiji=FJI;
Finland=FIN;France=FRA;French Guiana=GUF;French Polynesia=PYF;
French Southern Territories=ATF;Gabon=GAB;Gambia=GMB;The Gambia=GMB;Georgia=GEO;
Germany=DEU;Ghana=GHA;Gibraltar=GIB;Greece=GRC;Greenland=GRL;Grenada=GRD;
Guadeloupe=GLP;Guam=GUM;Guatemala=GTM;Guernsey=GGY;Guinea=GIN;Guinea-Bissau=GNB;
Guyana=GUY;Haiti=HTI;Honduras=HND;Hong Kong=HKG;Hong Kong SAR=HKG;Hungary=HUN;
Iceland=ISL;India=IND;Indonesia=IDN;Iran=IRN;Iraq=IRQ;Ireland=IRL;Isle of Man=IMN;
Israel=ISR;Italy=ITA;Jamaica=JAM;Japan=JPN;Jersey=JEY;Jordan=JOR;Kazakhstan=KAZ;
Kenya=KEN;Kiribati=KIR;North Korea=PRK;Korea, Dem. People's Rep.=PRK;South Korea=KOR;
Korea=KOR;Korea, Rep.=KOR;Republic of Korea=KOR;Kosovo=XKX;Kuwait=KWT;Kyrgyzstan=KGZ;
Laos=LAO;Lao PDR=LAO;Latvia=LVA;Lebanon=LBN;Lesotho=LSO;Liberia=LBR;Libya=LBY;
Liechtenstein=LIE;Lithuania=LTU;Luxembourg=LUX;Macau=MAC;Macao=MAC;Madagascar=MDG;
Malawi=MWI;Malaysia=MYS;Maldives=MDV;Mali=MLI;Malta=MLT;Marshall Islands=MHL;
Martinique=MTQ;Mauritania=MRT;Mauritius=MUS;Mayotte=MYT;Mexico=MEX;Micronesia=FSM;
Federated States of Micronesia=FSM;Moldova=MDA;Monaco=MCO;Mongolia=MNG;Montenegro=MNE;
Montserrat=MSR;Morocco=MAR;Mozambique=MOZ;Myanmar=MMR;Namibia=NAM;Nauru=NRU;Nepal=NPL;
Netherlands=NLD;New Caledonia=NCL;New Zealand=NZL;Nicaragua=NIC;Niger=NER;Nigeria=NGA;
Niue=NIU;Norfolk Island=NFK;North Macedonia=MKD;Northern Mariana Islands=MNP;Norway=NOR;
Oman=OMN;Pakistan=PAK;Palau=PLW;Palestine=PSE;Panama=PAN;Papua New Guinea=PNG;
Paraguay=PRY;Peru=PER;Philippines=PHL;Pitcairn Islands=PCN;Poland=POL;Portugal=PRT;
Puerto Rico=PRI;Qatar=QAT;Réunion=REU;Reunion=REU;Romania=ROU;Russia=RUS;
Russian Federation=RUS;Rwanda=RWA;Saint Barthélemy=BLM;Saint Barthelemy=BLM;
Saint Helena=SHN;Saint Helena, Ascension and Tristan da Cunha=SHN;
Ascension and Tristan da Cunha=SHN;Saint Kitts and Nevis=KNA;Saint Lucia=LCA;
Saint Martin=MAF;Saint Pierre and Miquelon=SPM;Saint Vincent and the Grenadines=VCT;
Samoa=WSM;San Marino=SMR;Sao Tome and Principe=STP;São Tomé and Príncipe=STP;
Saudi Arabia=SAU;Senegal=SEN;Serbia=SRB;Seychelles=SYC;Sierra Leone=SLE;Singapore=SGP;
Sint Maarten=SXM;Slovakia=SVK;Slovenia=SVN;Solomon Islands=SLB;Somalia=SOM;
South Africa=ZAF;South Georgia and the South Sandwich Islands=SGS;South Sudan=SSD;
Spain=ESP;Sri Lanka=LKA;Sudan=SDN;Suriname=SUR;Svalbard and Jan Mayen=SJM;Sweden=SWE;
Switzerland=CHE;Syria=SYR;Taiwan=TWN;Tajikistan=TJK;Tanzania=TZA;Thailand=THA;
Timor-Leste=TLS;East Timor=TLS;Togo=TGO;Tokelau=TKL;Tonga=TON;Trinidad and Tobago=TTO;
Tunisia=TUN;Turkey=TUR;Türkiye=TUR;Turkmenistan=TKM;Turks and Caicos Islands=TCA;
Tuvalu=TUV;Uganda=UGA;Ukraine=UKR;United Arab Emirates=ARE;United Kingdom=GBR;
United States=USA;United States of America=USA;Uruguay=URY;Uzbekistan=UZB;Vanuatu=VUT;
Venezuela=VEN;Vietnam=VNM;Viet Nam=VNM;Virgin Islands (U.K.)=VGB;
British Virgin Islands=VGB;Virgin Islands (U.S.)=VIR;U.S. Virgin Islands=VIR;
Wallis and Futuna=WLF;Western Sahara=ESH;Yemen=YEM;Zambia=ZMB;Zimbabwe=ZWE;
Netherlands Antilles=BES
"""

COUNTRY_ISO3: Mapping[str, str] = {
    name.strip(): code.strip()
    for name, code in (item.rsplit("=", 1) for item in
                       _COUNTRY_TABLE.replace("\n", "").split(";") if item.strip())
}
"""Country names as TeleGeography writes them (and common variants) -> ISO 3166-1 alpha-3.

Built from the names in the 2021 snapshot plus the other ISO 3166 short names. Notes:
``Netherlands Antilles`` (dissolved 2010) is mapped to BES because its only landing point
in TeleGeography's data is on Bonaire; the Congos are written ``Congo, Dem. Rep.`` and
``Congo, Rep.``; Kosovo uses the common user-assigned code XKX."""

UNKNOWN_COUNTRY = "XXX"
"""Country code given to landing points whose country name is not in
:data:`COUNTRY_ISO3` (a code from ISO 3166's user-assigned range; ICAO uses it for an
unspecified nationality). Every such name is listed in the import report."""

_US_TERRITORIES = {"PR": "PRI", "GU": "GUM", "VI": "VIR", "AS": "ASM", "MP": "MNP"}
"""TeleGeography names some US territories' landings ``<place>, <code>, United States``."""

_SAR_BOXES = (("HKG", (113.82, 22.13, 114.45, 22.57)),
              ("MAC", (113.52, 22.10, 113.60, 22.22)))
"""Lon/lat boxes of the Hong Kong and Macao SARs: TeleGeography writes their landings as
``China``; landings inside a box get the SAR's own ISO code."""


def country_iso3(name: str | None, country: str | None = None, lon: float | None = None,
                 lat: float | None = None) -> tuple[str | None, str]:
    """ISO 3166-1 alpha-3 code of a TeleGeography landing point.

    Parameters
    ----------
    name : str
        The landing point's name, e.g. ``"Muanda, Congo, Dem. Rep."`` (the country is its
        last one to three comma-separated parts).
    country : str, optional
        The landing point's ``country`` member (current layout); preferred to the name.
    lon, lat : float, optional
        Position, used to tell Hong Kong and Macao landings from mainland China.

    Returns
    -------
    (str or None, str)
        The code (``None`` when the name is unknown) and the country name it was read from.
    """
    parts = [p.strip() for p in (name or "").split(",") if p.strip()]
    found: tuple[str | None, str] = (None, "")
    if isinstance(country, str) and country.strip():
        text = country.strip()
        found = (COUNTRY_ISO3.get(text), text)
    else:
        for k in (3, 2, 1):
            if len(parts) >= k:
                text = ", ".join(parts[-k:])
                if text in COUNTRY_ISO3:
                    found = (COUNTRY_ISO3[text], text)
                    break
        else:
            found = (None, parts[-1] if parts else "")
    code, text = found
    if code == "USA" and len(parts) >= 2 and parts[-2] in _US_TERRITORIES:
        code = _US_TERRITORIES[parts[-2]]
    if code == "CHN" and lon is not None and lat is not None:
        for sar, (x0, y0, x1, y1) in _SAR_BOXES:
            if x0 <= lon <= x1 and y0 <= lat <= y1:
                code = sar
    return code, text


# ============================================================================== parsing
_LENGTH = re.compile(r"^\s*(?:approx\.?|about|~|c\.)?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(km|kms|"
                     r"kilometers|kilometres)?\.?\s*$", re.IGNORECASE)
_NOT_AVAILABLE = {"n.a.", "n.a", "na", "n/a", "", "-", "none", "unknown", "t.b.d.", "tbd"}
_RFS_YEAR = re.compile(r"^\s*(?:(?:Q[1-4]|[A-Za-z]+)\s+)?((?:18|19|20|21)\d{2})\b")


def parse_length_km(value: object) -> tuple[float | None, str]:
    """Read a TeleGeography ``length`` value.

    Returns
    -------
    (float or None, str)
        Kilometres and how it went: ``"ok"``, ``"absent"`` (missing or null), ``"n.a."``
        (a not-available marker such as ``"n.a."``) or ``"unparseable"``.

    Examples
    --------
    >>> parse_length_km("1,055 km")
    (1055.0, 'ok')
    >>> parse_length_km("n.a.")
    (None, 'n.a.')
    """
    if value is None:
        return None, "absent"
    if isinstance(value, bool):
        return None, "unparseable"
    if isinstance(value, (int, float)):
        number = float(value)
        return (number, "ok") if math.isfinite(number) and number > 0 else (None, "unparseable")
    text = str(value).strip()
    if text.lower() in _NOT_AVAILABLE:
        return None, "n.a."
    match = _LENGTH.match(text)
    if not match:
        return None, "unparseable"
    number = float(match.group(1).replace(",", ""))
    return (number, "ok") if number > 0 else (None, "unparseable")


def parse_rfs_year(value: object) -> tuple[int | None, str]:
    """Read a TeleGeography ``rfs`` (ready for service) value such as ``"2008 August"``,
    ``"2021 Q4"`` or ``"2019"``.

    Returns
    -------
    (int or None, str)
        The year and ``"ok"``, ``"absent"``, ``"n.a."`` or ``"unparseable"``.
    """
    if value is None:
        return None, "absent"
    if isinstance(value, bool):
        return None, "unparseable"
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isfinite(number) and number == int(number) and 1850 <= number <= 2100:
            return int(number), "ok"
        return None, "unparseable"
    text = str(value).strip()
    if text.lower() in _NOT_AVAILABLE:
        return None, "n.a."
    match = _RFS_YEAR.match(text)
    if not match:
        return None, "unparseable"
    return int(match.group(1)), "ok"


def _is_tbd(value: object) -> tuple[bool | None, bool]:
    """Read an ``is_tbd`` value; returns (value or None, parseable)."""
    if value is None:
        return None, True
    if isinstance(value, bool):
        return value, True
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true", True
    return None, False


# ============================================================================== JSON input
@dataclass
class _GeoCable:
    """A cable's route lines from ``cable-geo.json`` (features of one id merged)."""

    id: str
    name: str | None
    lines: list[list[tuple[float, float]]]
    features: list[int]
    null_geometry: bool = False


@dataclass
class _GeoLanding:
    """A landing point from ``landing-point-geo.json``."""

    id: str
    name: str | None
    lon: float | None
    lat: float | None
    is_tbd: bool | None
    feature: int


@dataclass
class _CableLanding:
    """One entry of a cable file's ``landing_points``."""

    index: int
    id: str
    name: str | None
    country: str | None
    latlon: tuple[float, float] | None
    is_tbd: bool | None
    is_tbd_raw: object = None


@dataclass
class _CableFile:
    """A per-cable JSON file."""

    id: str
    file: str
    name: str | None
    landings: list[_CableLanding]
    length: object
    rfs: object
    rfs_year: object
    is_planned: object
    extra: list[str]


_CRS84 = {"urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:epsg::4326", "epsg:4326",
          "crs84", "ogc:crs84", "wgs84"}
_CABLE_KNOWN = {"id", "name", "landing_points", "length", "rfs", "rfs_year", "is_planned"}
_LANDING_KNOWN = {"id", "name", "latlon", "country", "is_tbd"}


def _read_json(path: Path, problems: list[Problem]) -> tuple[bool, Any]:
    """Parse a JSON file; on failure append a problem and return (False, None)."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(name, None, None, "file is missing"))
        return False, None
    except IsADirectoryError:
        problems.append(Problem(name, None, None, "is a directory, expected a JSON file"))
        return False, None
    except OSError as exc:
        problems.append(Problem(name, None, None, f"cannot be read: {exc.strerror}"))
        return False, None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, None, "is not UTF-8 text", "save the file as UTF-8"))
        return False, None
    if not text.strip():
        problems.append(Problem(name, None, None, "file is empty"))
        return False, None
    try:
        return True, json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) - 1
        problems.append(Problem(
            name, exc.lineno, None,
            f"not valid JSON: {exc.msg} (column {exc.colno})",
            "the file ends early: it looks truncated, download it again" if truncated
            else None))
        return False, None


def _check_crs(doc: Mapping[str, Any], name: str, problems: list[Problem]) -> None:
    crs = doc.get("crs")
    if crs is None:
        return
    label = None
    if isinstance(crs, Mapping):
        props = crs.get("properties")
        if isinstance(props, Mapping) and isinstance(props.get("name"), str):
            label = props["name"]
    if label is None:
        problems.append(Problem(name, None, "crs", "is not a GeoJSON named crs object",
                                "expected {\"type\": \"name\", \"properties\": {\"name\": "
                                "\"urn:ogc:def:crs:OGC:1.3:CRS84\"}} or no crs member"))
    elif label.strip().lower() not in _CRS84:
        problems.append(Problem(name, None, "crs.properties.name",
                                f"unsupported coordinate reference system {label!r}",
                                "only WGS84 longitude/latitude (CRS84, EPSG:4326) is read"))


def _position(value: object) -> tuple[float, float] | str:
    """A [lon, lat] position, or why it is not one."""
    if (not isinstance(value, list) or len(value) < 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                       for v in value[:2])):
        return f"position {_short(value)} is not [lon, lat]"
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return f"position {_short(value)} is not finite"
    if not (-180.0 - 1e-6 <= lon <= 180.0 + 1e-6 and -90.0 - 1e-6 <= lat <= 90.0 + 1e-6):
        return f"position {_short(value)} is outside lon [-180, 180], lat [-90, 90]"
    return min(max(lon, -180.0), 180.0), min(max(lat, -90.0), 90.0)


def _short(value: object, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _lines_of(geometry: object) -> list[list[tuple[float, float]]] | None | str:
    """Route lines of a (Multi)LineString geometry; None for a null geometry; or a message."""
    if geometry is None:
        return None
    if not isinstance(geometry, Mapping):
        return "is not a GeoJSON geometry object"
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "LineString":
        parts = [coords]
    elif kind == "MultiLineString":
        parts = coords
    else:
        return f"type {kind!r} is not LineString or MultiLineString"
    if not isinstance(parts, list):
        return "coordinates is not a list of lines"
    lines = []
    for i, part in enumerate(parts):
        if not isinstance(part, list):
            return f"line {i + 1} is not a list of positions"
        points = []
        for value in part:
            pos = _position(value)
            if isinstance(pos, str):
                return f"line {i + 1}: {pos}"
            points.append(pos)
        lines.append(points)
    return lines


def _feature_id(props: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    for key in keys:
        value = props.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _feature_collection(path: Path, problems: list[Problem]) -> list[Any] | None:
    """The ``features`` of a GeoJSON FeatureCollection file (its ``crs`` checked), or None
    with a problem appended when the file cannot be read or is not a FeatureCollection."""
    ok, doc = _read_json(path, problems)
    if not ok:
        return None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("features"), list):
        problems.append(Problem(str(path), None, "features",
                                "expected a GeoJSON FeatureCollection with a 'features' list"))
        return None
    _check_crs(doc, str(path), problems)
    return doc["features"]


def _identified_features(features: list[Any], name: str, problems: list[Problem],
                         id_keys: tuple[str, str], what: str, holds: str
                         ) -> Iterator[tuple[int, Mapping[str, Any], Mapping[str, Any], str,
                                             Callable[..., None]]]:
    """The features that are objects with properties naming an id (the first of ``id_keys``
    present), as ``(position, feature, properties, id, report)``; the others are reported
    in ``problems`` (file ``name``, row = the feature's position from 1). ``what`` names the
    thing a feature describes, ``holds`` what its properties must hold."""
    for pos, feature in enumerate(features):
        def report(fieldname: str | None, message: str, hint: str | None = None,
                   row: int = pos + 1) -> None:
            problems.append(Problem(name, row, fieldname, message, hint, "feature"))

        if not isinstance(feature, Mapping):
            report(None, "is not a GeoJSON Feature object")
            continue
        props = feature.get("properties")
        if not isinstance(props, Mapping):
            report("properties", f"missing or not an object (it must hold {holds})")
            continue
        fid = _feature_id(props, id_keys)
        if fid is None:
            report("properties.id", f"missing: each feature must name its {what} "
                   f"(TeleGeography slug in {id_keys[0]!r} or {id_keys[1]!r})")
            continue
        yield pos, feature, props, fid, report


def _read_cable_geo(path: Path, problems: list[Problem], info: dict[str, Any]
                    ) -> dict[str, _GeoCable]:
    name = str(path)
    cables: dict[str, _GeoCable] = {}
    features = _feature_collection(path, problems)
    if features is None:
        return cables
    merged = 0
    for pos, feature, props, cid, report in _identified_features(
            features, name, problems, ("id", "slug"), "cable", "the cable's id"):
        lines = _lines_of(feature.get("geometry"))
        if isinstance(lines, str):
            report("geometry", f"cable {cid!r}: {lines}")
            continue
        label = props.get("name") if isinstance(props.get("name"), str) else None
        if cid in cables:
            merged += 1
            cables[cid].features.append(pos + 1)
            cables[cid].lines.extend(lines or [])
            cables[cid].name = cables[cid].name or label
        else:
            cables[cid] = _GeoCable(cid, label, list(lines or []), [pos + 1], lines is None)
    info["geometry_features"] = len(features)
    info["geometry_features_merged"] = merged
    return cables


def _read_landing_geo(path: Path, problems: list[Problem], info: dict[str, Any]
                      ) -> dict[str, _GeoLanding]:
    name = str(path)
    points: dict[str, _GeoLanding] = {}
    features = _feature_collection(path, problems)
    if features is None:
        return points
    duplicates: list[str] = []
    bad_tbd: list[dict[str, Any]] = []
    for pos, feature, props, lid, report in _identified_features(
            features, name, problems, ("slug", "id"), "landing point",
            "the landing point id"):
        geometry = feature.get("geometry")
        lon = lat = None
        if geometry is not None:
            if not isinstance(geometry, Mapping) or geometry.get("type") != "Point":
                report("geometry", f"landing point {lid!r}: expected a Point geometry")
                continue
            pos_ = _position(geometry.get("coordinates"))
            if isinstance(pos_, str):
                report("geometry.coordinates", f"landing point {lid!r}: {pos_}")
                continue
            lon, lat = pos_
        tbd, readable = _is_tbd(props.get("is_tbd"))
        if not readable:
            bad_tbd.append({"file": name, "cable": None,
                            "field": f"features[{pos + 1}].properties.is_tbd",
                            "value": _short(props.get("is_tbd")), "reason": "unparseable"})
        label = props.get("name") if isinstance(props.get("name"), str) else None
        if lid in points:
            duplicates.append(lid)
            continue
        points[lid] = _GeoLanding(lid, label, lon, lat, tbd, pos + 1)
    info["landing_features"] = len(features)
    info["landing_features_duplicate"] = sorted(set(duplicates))
    info["landing_features_duplicate_count"] = len(duplicates)
    info["landing_features_unparseable"] = bad_tbd
    return points


def _read_cable_file(path: Path, problems: list[Problem]) -> _CableFile | None | str:
    """Read one per-cable file; ``"index"`` for a JSON list (an index file such as all.json)."""
    name = str(path)
    ok, doc = _read_json(path, problems)
    if not ok:
        return None
    if isinstance(doc, list):
        return "index"
    if not isinstance(doc, Mapping):
        problems.append(Problem(name, None, None, "expected a JSON object describing one cable"))
        return None
    found: list[Problem] = []
    cid = doc.get("id", path.stem)
    if not isinstance(cid, str) or not cid.strip():
        found.append(Problem(name, None, "id", f"must be the cable's slug (text), got "
                             f"{_short(cid)}"))
        cid = path.stem
    cid = cid.strip()
    label = doc.get("name")
    if label is not None and not isinstance(label, str):
        found.append(Problem(name, None, "name", f"cable {cid!r}: must be text, got "
                             f"{_short(label)}"))
        label = None
    raw_landings = doc.get("landing_points")
    landings: list[_CableLanding] = []
    if "landing_points" not in doc:
        found.append(Problem(name, None, "landing_points",
                             f"cable {cid!r}: required member is missing"))
    elif not isinstance(raw_landings, list):
        found.append(Problem(name, None, "landing_points",
                             f"cable {cid!r}: must be a list, got {_short(raw_landings)}"))
    else:
        for i, item in enumerate(raw_landings):
            def report(fieldname: str | None, message: str, hint: str | None = None) -> None:
                found.append(Problem(name, i + 1, fieldname, message, hint, "landing point"))

            if not isinstance(item, Mapping):
                report(None, f"cable {cid!r}: is not an object")
                continue
            lid = item.get("id")
            if not isinstance(lid, str) or not lid.strip():
                report("id", f"cable {cid!r}: missing landing point id (TeleGeography slug)")
                continue
            lid = lid.strip()
            lname = item.get("name")
            if lname is not None and not isinstance(lname, str):
                report("name", f"landing point {lid!r}: must be text, got {_short(lname)}")
                continue
            country = item.get("country")
            if country is not None and not isinstance(country, str):
                report("country", f"landing point {lid!r}: must be text, got "
                       f"{_short(country)}")
                continue
            latlon = None
            raw = item.get("latlon")
            if raw is not None and not (isinstance(raw, str) and not raw.strip()):
                parsed = _latlon(raw)
                if isinstance(parsed, str):
                    report("latlon", f"landing point {lid!r}: {parsed}",
                           "expected \"lat,lon\" in degrees, e.g. \"1.3386,103.6462\"")
                    continue
                latlon = parsed
            tbd, _ = _is_tbd(item.get("is_tbd"))
            landings.append(_CableLanding(i + 1, lid, lname, country, latlon, tbd,
                                          item.get("is_tbd")))
    for key, kinds in (("rfs_year", (int, float, str, type(None))),
                       ("length", (int, float, str, type(None))),
                       ("rfs", (int, float, str, type(None))),
                       ("is_planned", (bool, str, type(None)))):
        value = doc.get(key)
        if not isinstance(value, kinds) or (key != "is_planned" and isinstance(value, bool)):
            found.append(Problem(name, None, key, f"cable {cid!r}: wrong type, got "
                                 f"{_short(value)}"))
    problems.extend(found)
    if found:
        return None
    extra = sorted(str(k) for k in doc if k not in _CABLE_KNOWN)
    extra += sorted({f"landing_points[].{k}" for item in raw_landings if isinstance(item, Mapping)
                     for k in item if k not in _LANDING_KNOWN})
    return _CableFile(cid, name, label, landings, doc.get("length"), doc.get("rfs"),
                      doc.get("rfs_year"), doc.get("is_planned"), extra)


def _latlon(value: object) -> tuple[float, float] | str:
    """``"lat,lon"`` -> (lon, lat), or why not."""
    if not isinstance(value, str):
        return f"latlon must be text \"lat,lon\", got {_short(value)}"
    parts = value.split(",")
    if len(parts) != 2:
        return f"latlon {value!r} is not \"lat,lon\""
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return f"latlon {value!r} is not two numbers"
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return f"latlon {value!r} is not finite"
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return f"latlon {value!r} is outside lat [-90, 90], lon [-180, 180]"
    return lon, lat


# ============================================================================== geometry
Point = tuple[float, float]


@dataclass(frozen=True)
class CableSegment:
    """One link of a cable: the route between two adjacent nodes.

    Attributes
    ----------
    a, b : str
        End node ids (landing point ids, or branching unit ids).
    coords : tuple of (lon, lat)
        The route from ``a`` to ``b``; its ends are the nodes' positions.
    length_km : float
        Geodesic (WGS84) length of ``coords``, km.
    connector : bool
        Whether the route includes a straight piece added by the importer (a landing
        connector or a gap bridge) rather than drawn by TeleGeography.
    """

    a: str
    b: str
    coords: tuple[Point, ...]
    length_km: float
    connector: bool = False


@dataclass
class SegmentInference:
    """The segment graph inferred for one cable.

    Attributes
    ----------
    segments : list of CableSegment
    branching_units : dict of str to (lon, lat)
        Junction nodes (vertices where three or more route lines meet), by id.
    fallbacks : list of (str, str)
        ``(kind, detail)`` for every approximation made: ``landing_connector``,
        ``colocated_landing``, ``gap_bridged``, ``loop_dropped``.
    notes : list of str
        Other remarks (e.g. route lines that lead to no landing point, dropped).
    dropped_km : float
        Length of route lines removed because they lead to no landing point.
    """

    segments: list[CableSegment]
    branching_units: dict[str, Point]
    fallbacks: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dropped_km: float = 0.0

    @property
    def total_km(self) -> float:
        """Summed length of the segments, km."""
        return float(sum(s.length_km for s in self.segments))


def _key(lon: float, lat: float) -> Point:
    if lon > 179.999 or lon < -179.999:
        lon = 180.0
    return (round(lon, 6), round(lat, 6))


def _wrap(dlon: np.ndarray | float) -> Any:
    return (np.asarray(dlon) + 180.0) % 360.0 - 180.0


def _ddeg(a: Point, b: Point) -> float:
    """Planar distance in degrees (longitude scaled by the cosine of the mean latitude)."""
    dlon = abs(a[0] - b[0])
    if dlon > 180.0:
        dlon = 360.0 - dlon
    return math.hypot(dlon * math.cos(math.radians((a[1] + b[1]) / 2.0)), a[1] - b[1])


def _ddeg_many(p: Point, pts: np.ndarray) -> np.ndarray:
    dlon = np.abs(_wrap(pts[:, 0] - p[0]))
    return np.hypot(dlon * np.cos(np.radians((pts[:, 1] + p[1]) / 2.0)), pts[:, 1] - p[1])


def _to_segments(p: Point, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                    np.ndarray]:
    """Planar distance (deg) from ``p`` to segments ``a[i]-b[i]``, the parameter t and the
    nearest points (lon, lat)."""
    c = math.cos(math.radians(p[1]))
    ax, ay = _wrap(a[:, 0] - p[0]) * c, a[:, 1] - p[1]
    bx, by = _wrap(b[:, 0] - p[0]) * c, b[:, 1] - p[1]
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(length2 > 0, -(ax * dx + ay * dy) / length2, 0.0)
    t = np.clip(t, 0.0, 1.0)
    nx_, ny_ = ax + t * dx, ay + t * dy
    near = np.column_stack([_wrap(p[0] + nx_ / max(c, 1e-9)), p[1] + ny_])
    return np.hypot(nx_, ny_), t, near


def _geodesic_km(coords: Sequence[Point]) -> float:
    if len(coords) < 2:
        return 0.0
    arr = np.asarray(coords, dtype=float)
    _, _, dist = _GEOD.inv(arr[:-1, 0], arr[:-1, 1], arr[1:, 0], arr[1:, 1])
    return float(np.sum(dist)) / 1000.0


def _edges_km(edges: Sequence[tuple[Point, Point]]) -> float:
    """Summed geodesic length of straight edges, km."""
    if not edges:
        return 0.0
    arr = np.asarray(edges, dtype=float)
    _, _, dist = _GEOD.inv(arr[:, 0, 0], arr[:, 0, 1], arr[:, 1, 0], arr[:, 1, 1])
    return float(np.sum(dist)) / 1000.0


def _stack(lines: Sequence[Sequence[Point]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment start points, end points and line index of every segment of ``lines``."""
    starts, ends, index = [], [], []
    for li, ls in enumerate(lines):
        if len(ls) < 2:
            continue
        arr = np.asarray(ls, dtype=float)
        starts.append(arr[:-1])
        ends.append(arr[1:])
        index.append(np.full(len(arr) - 1, li))
    if not starts:
        empty = np.zeros((0, 2))
        return empty, empty, np.zeros(0, dtype=int)
    return np.concatenate(starts), np.concatenate(ends), np.concatenate(index)


def _dedupe(points: Iterable[Point]) -> list[Point]:
    out: list[Point] = []
    for p in points:
        if not out or out[-1] != p:
            out.append(p)
    return out


def infer_segments(lines: Sequence[Sequence[Sequence[float]]],
                   landings: Sequence[tuple[str, float, float]],
                   settings: ImportSettings | None = None,
                   bu_prefix: str = "bu") -> SegmentInference:
    """Infer which landing points are adjacent along a cable from its route lines.

    Steps (the method of ``tools/derive_china_asean.py``, which ``topology/china_asean``
    documents):

    1. line ends closer than ``join_km`` become one point; a line end within ``join_km``
       of another line's interior is inserted into it (a T-junction);
    2. the lines become a graph of route vertices (points at +-180 degrees are joined
       across the antimeridian);
    3. landing points are snapped to free line ends within ``snap_km`` (nearest pairs
       first), else to the nearest vertex or point on an edge within ``snap_km``; a landing
       point farther away is joined by a straight connector to the nearest route point
       (fallback ``landing_connector``); a landing at a vertex another landing already
       holds is joined to it by a connector of nominal length (``colocated_landing``);
    4. pieces of the drawing that reach no landing point are dropped; the remaining pieces
       are joined by the shortest straight link (``gap_bridged``);
    5. dangling lines that end at no landing point are pruned;
    6. every vertex where three or more lines meet becomes a branching unit, named
       ``<bu_prefix><n>`` (numbered west to east); the chains between landing points and
       branching units are the segments, with their geodesic lengths (ends at the nodes'
       exact positions).

    Parameters
    ----------
    lines : sequence of sequences of (lon, lat)
        The cable's route lines (a MultiLineString's parts).
    landings : sequence of (id, lon, lat)
        Its landing points.
    settings : ImportSettings, optional
        Tolerances (defaults: :class:`ImportSettings`).
    bu_prefix : str
        Prefix of branching unit ids.

    Returns
    -------
    SegmentInference
        With no segments when there are no usable lines or fewer than two landing points.
    """
    settings = settings or ImportSettings()
    join = settings.join_km / KM_PER_DEG
    snap = settings.snap_km / KM_PER_DEG
    result = SegmentInference([], {})
    clean = [_dedupe(_key(float(p[0]), float(p[1])) for p in ls) for ls in lines]
    clean = [ls for ls in clean if len(ls) >= 2]
    if not clean or len(landings) < 2:
        return result
    # 1a. merge line ends drawn a little apart
    reps: list[Point] = []
    rep: dict[Point, Point] = {}
    for ls in clean:
        for end in (ls[0], ls[-1]):
            if end in rep:
                continue
            best = None
            if reps:
                dist = _ddeg_many(end, np.asarray(reps))
                i = int(np.argmin(dist))
                if dist[i] < join:
                    best = reps[i]
            rep[end] = best or end
            if best is None:
                reps.append(end)
    clean = [_dedupe([rep[ls[0]], *ls[1:-1], rep[ls[-1]]]) for ls in clean]
    clean = [ls for ls in clean if len(ls) >= 2]
    # 1b. T-junctions: a line end on another line's interior
    stacked = _stack(clean)
    for r in reps:
        dist, _, _ = _to_segments(r, stacked[0], stacked[1])
        hits = sorted(set(stacked[2][dist < join].tolist()))
        changed = False
        for li in hits:
            ls = clean[li]
            if r in ls:
                continue
            arr = np.asarray(ls)
            dist_l, t, _ = _to_segments(r, arr[:-1], arr[1:])
            i = int(np.argmin(dist_l))
            if dist_l[i] >= join:
                continue
            changed = True
            if t[i] < 0.02 or t[i] > 0.98:
                v = ls[i] if t[i] < 0.5 else ls[i + 1]
                clean = [[r if p == v else p for p in l2] for l2 in clean]
            else:
                ls.insert(i + 1, r)
        if changed:
            stacked = _stack(clean)
    clean = [_dedupe(ls) for ls in clean]
    g = nx.Graph()
    for ls in clean:
        for a, b in zip(ls, ls[1:]):
            if a != b:
                g.add_edge(a, b, connector=False)
    if g.number_of_edges() == 0:
        return result  # the drawing collapses to points (shorter than join_km)
    # 3. snap landing points
    label: dict[Point, str] = {}
    exact: dict[Point, Point] = {}
    todo = list(landings)
    ends = [v for v in g.nodes if g.degree(v) == 1]
    if ends:
        end_arr = np.asarray(ends)
        pairs = []
        for li, (lid, lon, lat) in enumerate(todo):
            dist = _ddeg_many((lon, lat), end_arr)
            for ei in np.nonzero(dist <= snap)[0]:
                pairs.append((float(dist[ei]), li, int(ei)))
        used_l: set[int] = set()
        used_e: set[int] = set()
        for _, li, ei in sorted(pairs):
            if li in used_l or ei in used_e:
                continue
            used_l.add(li)
            used_e.add(ei)
            label[ends[ei]] = todo[li][0]
            exact[ends[ei]] = (todo[li][1], todo[li][2])
        todo = [x for i, x in enumerate(todo) if i not in used_l]
    for lid, lon, lat in todo:
        p = (float(lon), float(lat))
        verts = list(g.nodes)
        vdist = _ddeg_many(p, np.asarray(verts))
        vi = int(np.argmin(vdist))
        best, best_d = verts[vi], float(vdist[vi])
        edges = [(a, b) for a, b in g.edges]
        if edges:
            ea = np.asarray([e[0] for e in edges])
            eb = np.asarray([e[1] for e in edges])
            edist, et, near = _to_segments(p, ea, eb)
            inside = (et > 0.02) & (et < 0.98)
            if inside.any():
                ei = int(np.argmin(np.where(inside, edist, np.inf)))
                if edist[ei] < best_d - 0.01:
                    q = _key(float(near[ei, 0]), float(near[ei, 1]))
                    if q not in g:
                        a, b = edges[ei]
                        conn = g.edges[a, b]["connector"]
                        g.remove_edge(a, b)
                        g.add_edge(a, q, connector=conn)
                        g.add_edge(q, b, connector=conn)
                        best, best_d = q, float(edist[ei])
        if best_d > snap:
            q = _key(*p)
            while q in g:
                q = (q[0], round(q[1] + 1e-6, 6))
            km = _geodesic_km([best, q])
            g.add_edge(best, q, connector=True)
            result.fallbacks.append(("landing_connector", f"{lid} lies {km:,.1f} km from the "
                                     "nearest route point: joined by a straight connector"))
            best = q
        elif best in label:
            q = _key(*p)
            while q in g:
                q = (q[0], round(q[1] + 1e-6, 6))
            km = _geodesic_km([best, q])
            g.add_edge(best, q, connector=True)
            result.fallbacks.append(("colocated_landing", f"{lid} shares its route point with "
                                     f"{label[best]}: joined to it by a straight link of "
                                     f"{km:,.1f} km (at least {settings.min_link_km} km)"))
            best = q
        label[best] = lid
        exact[best] = p
    # 4. drop pieces without landing points, bridge the others
    comps = [set(c) for c in nx.connected_components(g)]
    dead = [c for c in comps if not any(v in label for v in c)]
    for c in dead:
        result.dropped_km += _edges_km(list(g.subgraph(c).edges))
        g.remove_nodes_from(c)
    comps = [c for c in comps if any(v in label for v in c)]
    if len(comps) > 1:
        comps.sort(key=lambda c: (-sum(1 for v in c if v in label), -len(c), min(c)))
        main = set(comps[0])
        rest = comps[1:]
        while rest:
            main_arr = np.asarray(sorted(main))
            best_pair = None
            for ci, comp in enumerate(rest):
                for v in comp:
                    dist = _ddeg_many(v, main_arr)
                    i = int(np.argmin(dist))
                    if best_pair is None or dist[i] < best_pair[0]:
                        best_pair = (float(dist[i]), ci, tuple(main_arr[i]), v)
            assert best_pair is not None
            _, ci, u, v = best_pair
            u = (float(u[0]), float(u[1]))
            g.add_edge(u, v, connector=True)
            result.fallbacks.append(("gap_bridged", f"a gap of {_geodesic_km([u, v]):,.1f} km "
                                     f"in the drawing near ({u[0]:.2f}, {u[1]:.2f}) is bridged "
                                     "by a straight link"))
            main |= rest.pop(ci)
    # 5. prune dangling lines
    before = _edges_km(list(g.edges))
    stack = [v for v in g.nodes if g.degree(v) <= 1 and v not in label]
    while stack:
        v = stack.pop()
        if v not in g or v in label or g.degree(v) > 1:
            continue
        nbrs = list(g.neighbors(v))
        g.remove_node(v)
        stack.extend(n for n in nbrs if n not in label and g.degree(n) <= 1)
    result.dropped_km += before - _edges_km(list(g.edges))
    if result.dropped_km > 50.0:
        result.notes.append(f"{result.dropped_km:,.0f} km of route lines that lead to no listed "
                            "landing point were dropped")
    # 6. branching units and segments
    keys = set(label) | {v for v in g.nodes if g.degree(v) >= 3}
    bus = sorted(v for v in keys if v not in label)
    width = max(2, len(str(len(bus))))
    names = dict(label)
    for i, v in enumerate(bus, 1):
        names[v] = f"{bu_prefix}{i:0{width}d}"
        result.branching_units[names[v]] = v
    seen: set[tuple[Point, Point]] = set()
    for k in sorted(keys):
        for nb in sorted(g.neighbors(k)):
            if (k, nb) in seen:
                continue
            path = [k, nb]
            seen.update({(k, nb), (nb, k)})
            while path[-1] not in keys:
                cur = path[-1]
                nxt = [x for x in g.neighbors(cur) if x != path[-2] and (cur, x) not in seen]
                if not nxt:
                    break
                path.append(nxt[0])
                seen.update({(cur, nxt[0]), (nxt[0], cur)})
            a, b = names.get(path[0]), names.get(path[-1])
            if a is None or b is None:
                continue  # pragma: no cover - every chain ends at a key vertex
            if a == b:
                result.fallbacks.append(("loop_dropped", f"a loop of the drawing from {a} back "
                                         "to itself is dropped (a link needs two ends)"))
                continue
            conn = any(g.edges[u, v]["connector"] for u, v in zip(path, path[1:]))
            coords = [exact.get(path[0], path[0]), *path[1:-1], exact.get(path[-1], path[-1])]
            result.segments.append(CableSegment(a, b, tuple(coords), _geodesic_km(coords), conn))
    return result


def approximate_segments(landings: Sequence[tuple[str, float, float]]) -> list[CableSegment]:
    """The documented approximation for a cable whose geometry cannot be used.

    The cable is taken to join its landing points along the shortest tree (the minimum
    spanning tree of their great-circle distances): segments are straight great-circle
    links, lengths their geodesic lengths (the caller scales them to the stated length or
    by the route factor).
    """
    n = len(landings)
    if n < 2:
        return []
    lon = np.array([x[1] for x in landings], dtype=float)
    lat = np.array([x[2] for x in landings], dtype=float)
    i, j = np.triu_indices(n, 1)
    _, _, dist = _GEOD.inv(lon[i], lat[i], lon[j], lat[j])
    weights = np.zeros((n, n))
    weights[i, j] = dist / 1000.0 + 1e-6  # scipy drops zero weights
    from scipy.sparse.csgraph import minimum_spanning_tree

    tree = minimum_spanning_tree(weights).tocoo()
    segments = []
    for a, b, w in sorted(zip(tree.row.tolist(), tree.col.tolist(), tree.data.tolist())):
        segments.append(CableSegment(landings[a][0], landings[b][0],
                                     ((lon[a], lat[a]), (lon[b], lat[b])), max(w - 1e-6, 0.0)))
    return segments


def _split_antimeridian(coords: Sequence[Point]) -> list[list[Point]]:
    """Split a lon/lat polyline into parts at +-180 degrees (as TeleGeography draws them)."""
    un = [(float(coords[0][0]), float(coords[0][1]))]
    for lon, lat in coords[1:]:
        prev = un[-1][0]
        lon = float(lon)
        while lon - prev > 180.0:
            lon -= 360.0
        while lon - prev < -180.0:
            lon += 360.0
        un.append((lon, float(lat)))
    parts: list[list[Point]] = []
    cur = [un[0]]
    for a, b in zip(un, un[1:]):
        ka, kb = math.floor((a[0] + 180.0) / 360.0), math.floor((b[0] + 180.0) / 360.0)
        if ka != kb and a[0] != b[0]:
            edge = 180.0 + 360.0 * min(ka, kb)
            t = (edge - a[0]) / (b[0] - a[0])
            lat = a[1] + t * (b[1] - a[1])
            cur.append((edge, lat))
            parts.append(cur)
            cur = [(edge, lat), b]
        else:
            cur.append(b)
    parts.append(cur)
    out = []
    for part in parts:
        mid = sum(x for x, _ in part) / len(part)
        shift = 360.0 * math.floor((mid + 180.0) / 360.0)
        q = []
        for x, y in part:
            x -= shift
            if x > 180.0:
                x = 180.0
            if x < -180.0:
                x = -180.0
            q.append((round(x, 5), round(y, 5)))
        q = _dedupe(q)
        if len(q) >= 2:
            out.append(q)
    return out


def _route_geometry(coords: Sequence[Point], tolerance: float) -> BaseGeometry | None:
    """Simplified route of a segment, split at the antimeridian."""
    un = _split_antimeridian(coords)
    parts = []
    for part in un:
        line = LineString(part)
        if tolerance > 0 and len(part) > 2:
            line = line.simplify(tolerance, preserve_topology=False)
        pts = _dedupe((round(x, 5), round(y, 5)) for x, y in line.coords)
        if len(pts) >= 2:
            parts.append(pts)
    if not parts:
        return None
    return LineString(parts[0]) if len(parts) == 1 else MultiLineString(parts)


# ============================================================================== capacity CSV
CAPACITY_CSV_COLUMNS: tuple[Column, ...] = (
    Column("system", "str", "", True, False,
           "TeleGeography cable id (slug, e.g. sea-me-we-5) or cable name."),
    Column("design_capacity_gbps", "float", "Gbps", True, False,
           "Announced design capacity of the cable, per direction.", min=0.0,
           min_exclusive=True),
    Column("citation", "str", "", True, False, "Source of the figure."),
)
"""Columns of the user capacity CSV read by :func:`load_capacity_csv`."""


def load_capacity_csv(path: str | os.PathLike[str], cables: Mapping[str, str] | None = None
                      ) -> dict[str, tuple[float, str]]:
    """Read a capacity table ``system, design_capacity_gbps, citation``.

    Parameters
    ----------
    path : path-like
        CSV file; the header is line 1; extra columns are ignored.
    cables : mapping of cable id to cable name, optional
        The imported cables: ``system`` must name one of them by id or (case-insensitively)
        by name.

    Returns
    -------
    dict of str to (float, str)
        Cable id (or the ``system`` text when ``cables`` is not given) to (Gbps, citation).

    Raises
    ------
    ImportFormatError
        Listing every problem with its file, line and field: unreadable file, missing
        columns, empty cells, numbers that are not positive, unknown systems (with a "did
        you mean" hint) and systems given twice.
    """
    name = str(path)
    problems: list[Problem] = []
    raw = read_csv_text(Path(path), problems)
    if raw is None:
        raise ImportFormatError(f"capacity table {name!r} cannot be read", problems)
    source = TableSource(name)
    table = coerce_table(raw, CAPACITY_CSV_COLUMNS, source, problems, allow_derived=False)
    by_name: dict[str, str] = {}
    if cables is not None:
        for cid, label in cables.items():
            by_name.setdefault(label.strip().lower(), cid)
    out: dict[str, tuple[float, str]] = {}
    first: dict[str, int] = {}
    for pos, (system, gbps, cite) in enumerate(zip(table["system"], table["design_capacity_gbps"],
                                                   table["citation"])):
        if system is None:
            continue
        key = system
        if cables is not None:
            if system in cables:
                key = system
            elif system.lower() in by_name:
                key = by_name[system.lower()]
            else:
                choices = list(cables) + list(cables.values())
                problems.append(source.problem(pos, "system", f"unknown cable {system!r}",
                                               did_you_mean(system, choices)))
                continue
        if key in first:
            problems.append(source.problem(pos, "system", f"cable {key!r} is given twice "
                                           f"(first at line {first[key] + source.first_row})"))
            continue
        first[key] = pos
        if gbps is None or not math.isfinite(gbps) or cite is None:
            continue
        out[key] = (float(gbps), str(cite))
    if problems:
        raise ImportFormatError(f"capacity table {name!r} is invalid", problems)
    return out


# ============================================================================== the import
@dataclass
class TelegeographyImport:
    """The result of :func:`read_telegeography`.

    Attributes
    ----------
    network : Network
        The validated topology (landing, junction and city nodes; submarine, metro and
        terrestrial links; route geometry).
    report : dict
        The import report (JSON-ready): what was read, every fallback, t.b.d. landing
        point, unparseable field and unknown country, and one row per cable.
    nodes, links : DataFrame
        The tables as written to ``nodes.csv`` and ``links.csv``.
    routes : dict of str to geometry
        Route geometry per link id (written to ``geometry.geojson``).
    route_citations : dict of str to str
        Citation of each route.
    """

    network: Network
    report: dict[str, Any]
    nodes: pd.DataFrame
    links: pd.DataFrame
    routes: dict[str, BaseGeometry]
    route_citations: dict[str, str]


@dataclass
class _Landing:
    id: str
    name: str
    lon: float
    lat: float
    country: str
    country_text: str
    source: str
    tbd: bool
    systems: dict[str, tuple[float, str, int | None]] = field(default_factory=dict)


def _snapshot_year(*texts: str) -> int | None:
    for text in texts:
        match = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text or "")
        if match:
            return int(match.group(1))
    return None


class _Builder:
    """Turns the parsed files into node and link tables plus the report."""

    def __init__(self, label: str, year: int | None, settings: ImportSettings,
                 capacities: Mapping[str, tuple[float, str]]) -> None:
        self.label = label
        self.tag = f"[TeleGeography {label}]"
        self.year = year
        self.s = settings
        self.capacities = capacities
        self.landings: dict[str, _Landing] = {}
        self.nodes: list[dict[str, Any]] = []
        self.links: list[dict[str, Any]] = []
        self.routes: dict[str, BaseGeometry] = {}
        self.route_cites: dict[str, str] = {}
        self.cables: list[dict[str, Any]] = []
        self.fallbacks: list[dict[str, str]] = []
        self.unparseable: list[dict[str, Any]] = []
        self.tbd: list[dict[str, Any]] = []
        self.no_coords: list[dict[str, Any]] = []
        self.duplicates: list[dict[str, Any]] = []
        self.unknown_country: dict[str, list[str]] = defaultdict(list)
        self.capacity_sources: Counter[str] = Counter()

    # ---------------------------------------------------------------- landing points
    def landing(self, cable: _CableFile, entry: _CableLanding,
                geo: Mapping[str, _GeoLanding]) -> _Landing | None:
        point = geo.get(entry.id)
        lon = lat = None
        source = ""
        if point is not None and point.lon is not None:
            lon, lat, source = point.lon, point.lat, "landing-point-geo.json"
        elif entry.latlon is not None:
            (lon, lat), source = entry.latlon, f"the latlon of {Path(cable.file).name}"
        where = {"cable": cable.id, "file": cable.file, "landing_point": entry.index,
                 "id": entry.id}
        if lon is None or lat is None:
            self.no_coords.append({**where, "name": entry.name or (point.name if point else None),
                                   "why": "no position in landing-point-geo.json and no latlon "
                                          "in the cable file"})
            return None
        name = entry.name or (point.name if point else None) or entry.id
        tbd_flag = entry.is_tbd if entry.is_tbd is not None else (point.is_tbd if point else None)
        if entry.is_tbd is None and entry.is_tbd_raw is not None:
            self.unparseable.append({"file": cable.file, "cable": cable.id,
                                     "field": f"landing_points[{entry.index}].is_tbd",
                                     "value": _short(entry.is_tbd_raw), "reason": "unparseable"})
        tbd = bool(tbd_flag) or name.lower().startswith("t.b.d")
        if tbd:
            self.tbd.append({**where, "name": name})
        known = self.landings.get(entry.id)
        if known is not None:
            return known
        code, text = country_iso3(name, entry.country, lon, lat)
        if code is None:
            self.unknown_country[text or "(none)"].append(entry.id)
            code = UNKNOWN_COUNTRY
        landing = _Landing(entry.id, name, float(lon), float(lat), code, text, source, tbd)
        self.landings[entry.id] = landing
        return landing

    # ---------------------------------------------------------------- one cable
    def cable(self, cid: str, file: _CableFile | None, geo: _GeoCable | None,
              geo_landings: Mapping[str, _GeoLanding]) -> None:
        name = (file.name if file else None) or (geo.name if geo else None) or cid
        row: dict[str, Any] = {
            "id": cid, "name": name, "file": file.file if file else None,
            "geometry_features": geo.features if geo else [],
            "outcome": "", "reason": "", "status": None, "rfs": None, "rfs_year": None,
            "stated_km": None, "route_km": None, "length_scale": None,
            "landing_points_listed": len(file.landings) if file else 0,
            "landing_points_used": 0, "tbd_landing_points": 0, "segments": 0,
            "branching_units": 0, "capacity_gbps": None, "capacity_source": None,
            "fallbacks": [],
        }
        self.cables.append(row)
        if file is None:
            row["outcome"], row["reason"] = "no_links", (
                "no per-cable file: its landing points are unknown (geometry only)")
            return
        stated, how = parse_length_km(file.length)
        if how in ("n.a.", "unparseable"):
            self.unparseable.append({"file": file.file, "cable": cid, "field": "length",
                                     "value": _short(file.length), "reason": how})
        rfs_year, how_y = (None, "absent")
        if file.rfs_year is not None:
            rfs_year, how_y = parse_rfs_year(file.rfs_year)
            if how_y != "ok":
                self.unparseable.append({"file": file.file, "cable": cid, "field": "rfs_year",
                                         "value": _short(file.rfs_year), "reason": how_y})
        if rfs_year is None:
            rfs_year, how_r = parse_rfs_year(file.rfs)
            if how_r in ("n.a.", "unparseable"):
                self.unparseable.append({"file": file.file, "cable": cid, "field": "rfs",
                                         "value": _short(file.rfs), "reason": how_r})
        planned, readable = _is_tbd(file.is_planned)  # same true/false grammar
        if not readable:
            self.unparseable.append({"file": file.file, "cable": cid, "field": "is_planned",
                                     "value": _short(file.is_planned), "reason": "unparseable"})
        if planned is True:
            status = "planned"
        elif planned is False:
            status = "existing"
        elif rfs_year is not None and self.year is not None and rfs_year > self.year:
            status = "planned"
        else:
            status = "existing"
        row.update(status=status, rfs=file.rfs if isinstance(file.rfs, str) else None,
                   rfs_year=rfs_year, stated_km=stated)
        if cid in self.capacities:
            gbps, cite = self.capacities[cid]
            cap_cite, design, cap_source = f"design {gbps:g} Gbps: {cite}", gbps, "csv"
        else:
            gbps, era, why = capacity_default(rfs_year)
            cap_cite = f"estimate: default for RFS {era} ({why}); no design figure given"
            design, cap_source = None, f"default RFS {era}"
        self.capacity_sources[cap_source] += 1
        row.update(capacity_gbps=gbps, capacity_source=cap_source)
        # landing points
        used: list[_Landing] = []
        seen: set[str] = set()
        for entry in file.landings:
            if entry.id in seen:
                self.duplicates.append({"cable": cid, "file": file.file,
                                        "landing_point": entry.index, "id": entry.id})
                continue
            seen.add(entry.id)
            landing = self.landing(file, entry, geo_landings)
            if landing is None:
                continue
            used.append(landing)
            row["tbd_landing_points"] += int(landing.tbd)
        row["landing_points_used"] = len(used)
        for landing in used:
            landing.systems[cid] = (gbps, status, rfs_year)
        if len(used) < 2:
            row["outcome"] = "no_links"
            row["reason"] = (f"{len(used)} landing point{'s' if len(used) != 1 else ''} with a "
                             "position: a link needs two")
            return
        points = [(x.id, x.lon, x.lat) for x in used]
        inference = None
        if geo is not None and geo.lines:
            inference = infer_segments(geo.lines, points, self.s, f"bu:{cid}:")
            snapped = len(used) - sum(1 for k, _ in inference.fallbacks
                                      if k in ("landing_connector",))
            if not inference.segments:
                self.fallback(row, "geometry_unusable", "the route lines give no segment "
                              "between landing points: approximated")
                inference = None
            elif snapped == 0:
                self.fallback(row, "geometry_unmatched", "no landing point lies within "
                              f"{self.s.snap_km:.1f} km of the route lines: approximated")
                inference = None
        elif geo is None:
            self.fallback(row, "no_geometry", "no feature in cable-geo.json: approximated")
        else:
            self.fallback(row, "no_geometry", "its cable-geo.json feature has no route lines: "
                          "approximated")
        if inference is not None:
            for kind, detail in inference.fallbacks:
                self.fallback(row, kind, detail)
            segments = inference.segments
            bus = inference.branching_units
            row["outcome"] = "inferred"
            row["reason"] = "; ".join(inference.notes)
        else:
            segments = approximate_segments(points)
            bus = {}
            row["outcome"] = "approximated"
            row["reason"] = "; ".join(f["detail"] for f in self.fallbacks[-1:])
        total = sum(s.length_km for s in segments)
        row["route_km"] = round(total, 1)
        scale, scale_note = 1.0, ""
        if inference is None:
            if stated and total > 0 and stated >= total:
                scale = stated / total
                scale_note = (f"; approximated: straight links of the shortest tree joining the "
                              f"landing points, lengths scaled x{scale:.3f} to TeleGeography's "
                              f"stated {stated:,.0f} km")
            elif stated:
                scale_note = (f"; approximated: straight links of the shortest tree joining the "
                              f"landing points, great-circle lengths (their sum {total:,.0f} km "
                              f"already exceeds TeleGeography's stated {stated:,.0f} km)")
            else:
                scale = self.s.route_factor
                scale_note = (f"; approximated: straight links of the shortest tree joining the "
                              f"landing points, great circle x {scale} ({ROUTE_FACTOR_CITE})")
        elif stated and total > 0 and stated / total - 1.0 > self.s.length_scale_threshold:
            scale = stated / total
            scale_note = (f"; scaled x{scale:.3f} so the cable totals TeleGeography's stated "
                          f"{stated:,.0f} km (route lines {total:,.0f} km)")
            self.fallback(row, "length_scaled", f"route lines {total:,.0f} km vs stated "
                          f"{stated:,.0f} km: segment lengths x{scale:.3f}")
        elif stated and total > 0 and 1.0 - stated / total > self.s.length_scale_threshold:
            self.fallback(row, "length_mismatch", f"route lines {total:,.0f} km vs stated "
                          f"{stated:,.0f} km: the drawn lengths are kept")
        row["length_scale"] = round(scale, 4) if scale != 1.0 else None
        for bid, (x, y) in bus.items():
            self.nodes.append({
                "id": bid, "name": f"{name} branching unit {bid.rsplit(':', 1)[-1]}",
                "kind": "junction", "country": None, "lon": x, "lat": y, "tg_id": None,
                "metro": None, "transit_price_usd_per_mbps_month": None,
                "citation": f"{self.tag} {cid} route geometry: vertex where three or more route "
                            "lines meet (inferred branching unit)"})
        row["branching_units"] = len(bus)
        ordered = []
        for seg in segments:
            a, b, coords = seg.a, seg.b, list(seg.coords)
            if a > b:
                a, b, coords = b, a, coords[::-1]
            ordered.append((a, b, coords, seg))
        ordered.sort(key=lambda x: (x[0], x[1], round(x[3].length_km, 3)))
        width = max(2, len(str(len(ordered))))
        rfs_text = file.rfs if isinstance(file.rfs, str) else file.rfs_year
        for i, (a, b, coords, seg) in enumerate(ordered, 1):
            lid = f"{cid}:{i:0{width}d}"
            length = seg.length_km * scale
            nominal = length < self.s.min_link_km
            length = max(length, self.s.min_link_km)
            pclass = price_class(coords[0][0], coords[-1][0])
            how = ("inferred from the route geometry (geodesic length "
                   f"{seg.length_km:,.1f} km)" if inference is not None else
                   f"great circle {seg.length_km:,.1f} km")
            cite = [f"{self.tag} {cid}: segment {a}<->{b} {how}{scale_note}"]
            if nominal:
                cite.append(f"co-located landing stations: nominal length {self.s.min_link_km} km")
            if seg.connector:
                cite.append("includes a straight connector or gap bridge added by the importer "
                            "(see import_report.md)")
            cite.append(f"capacity {cap_cite}")
            cite.append(_price_cite(pclass))
            cite.append(f"RFS {rfs_text if rfs_text is not None else 'not given'} {self.tag}")
            self.links.append({
                "id": lid, "from_node": a, "to_node": b, "kind": "submarine", "system": name,
                "capacity_gbps": gbps, "design_capacity_gbps": design,
                "price_usd_per_mbps_month": PRICE_RATES[pclass].usd_per_mbps_month_km * length,
                "length_km": round(length, 3), "route_factor": None, "status": status,
                "rfs_year": rfs_year, "capex_usd": None, "tg_cable_id": cid,
                "citation": "; ".join(cite)})
            if inference is not None:
                geom = _route_geometry(coords, self.s.simplify_deg)
                if geom is not None:
                    self.routes[lid] = geom
                    self.route_cites[lid] = (
                        f"{self.tag} {cid} route geometry (c) TeleGeography, CC BY-NC-SA 3.0; cut "
                        f"between {a} and {b}, simplified {self.s.simplify_deg} deg"
                        + ("; includes straight connector(s) added by the importer"
                           if seg.connector else ""))
        row["segments"] = len(ordered)

    def fallback(self, row: dict[str, Any], kind: str, detail: str) -> None:
        self.fallbacks.append({"cable": row["id"], "file": row["file"] or "", "kind": kind,
                               "detail": detail})
        row["fallbacks"].append(kind)

    # ---------------------------------------------------------------- countries
    def landing_nodes_and_cities(self, make_cities: bool) -> list[dict[str, Any]]:
        by_country: dict[str, list[_Landing]] = defaultdict(list)
        for landing in self.landings.values():
            if landing.country != UNKNOWN_COUNTRY:
                by_country[landing.country].append(landing)
        long_links = []
        hubs: dict[str, tuple[str, _Landing, str]] = {}
        if make_cities:
            for code, members in sorted(by_country.items()):
                candidates = [m for m in members if not m.tbd] or members
                override = [m for lid in HUB_LANDING_OVERRIDES.get(code, ())
                            for m in candidates if m.id == lid]
                if override:
                    hubs[code] = (f"city:{code}", override[0],
                                  "chosen by hand (HUB_LANDING_OVERRIDES in "
                                  "cablesim.io.telegeography: most users live far from the "
                                  "best-connected landing points)")
                    continue
                pts = np.asarray([(m.lon, m.lat) for m in candidates])
                lon0, lat0 = _centroid([(m.lon, m.lat) for m in candidates])

                def rank(m: _Landing) -> tuple[Any, ...]:
                    near = int(np.sum(_ddeg_many((m.lon, m.lat), pts) * KM_PER_DEG <= 500.0))
                    return (-sum(1 for v in m.systems.values() if v[1] == "existing"),
                            -len(m.systems), -near, _ddeg((m.lon, m.lat), (lon0, lat0)), m.id)

                best = min(candidates, key=rank)
                hubs[code] = (f"city:{code}", best,
                              f"the country's landing point with the most cable systems "
                              f"({len(best.systems)}; ties: most landing points within 500 km)")
        for landing in self.landings.values():
            hub = hubs.get(landing.country)
            notes = [f"{self.tag} landing point {landing.id}, position from {landing.source}"]
            if landing.country == UNKNOWN_COUNTRY:
                notes.append(f"country name {landing.country_text!r} not recognised: code "
                             f"{UNKNOWN_COUNTRY}")
            elif landing.country in ("HKG", "MAC") and landing.country_text == "China":
                notes.append(f"country {landing.country} by location (TeleGeography writes "
                             "China)")
            if landing.tbd:
                notes.append("t.b.d.: TeleGeography's placeholder for a landing not yet fixed")
            self.nodes.append({
                "id": landing.id, "name": landing.name, "kind": "landing",
                "country": landing.country, "lon": landing.lon, "lat": landing.lat,
                "tg_id": landing.id, "metro": hub[0] if hub else None,
                "transit_price_usd_per_mbps_month": None, "citation": "; ".join(notes)})
        for code, (city, best, why) in sorted(hubs.items()):
            members = by_country[code]
            text = best.country_text if best.country_text and best.country_text != "China" \
                else {"HKG": "Hong Kong", "MAC": "Macao"}.get(code, best.country_text or code)
            self.nodes.append({
                "id": city, "name": f"{text} (country node)", "kind": "city", "country": code,
                "lon": best.lon, "lat": best.lat, "tg_id": None, "metro": None,
                "transit_price_usd_per_mbps_month": None,
                "citation": (f"estimate: one city node per country, standing for its users and "
                             f"domestic network, placed at {best.name} ({best.id}), {why}")})
            for landing in sorted(members, key=lambda m: m.id):
                gc = _geodesic_km([(landing.lon, landing.lat), (best.lon, best.lat)])
                length = max(gc * self.s.route_factor, self.s.backhaul_min_km)
                systems = landing.systems
                capacity = sum(v[0] for v in systems.values()) or CAPACITY_BY_RFS[0][1]
                existing = any(v[1] == "existing" for v in systems.values())
                years = [v[2] for v in systems.values() if v[2] is not None]
                cite = (f"estimate: backhaul from {landing.id} to the country node {city}: great "
                        f"circle {gc:,.1f} km x {self.s.route_factor} ({ROUTE_FACTOR_CITE}), at "
                        f"least {self.s.backhaul_min_km:g} km; capacity the sum of the "
                        f"{len(systems)} cable system(s) landing there (backhaul assumed "
                        f"non-binding)")
                if not systems:
                    cite = cite.replace("capacity the sum of the 0 cable system(s) landing "
                                        "there (backhaul assumed non-binding)",
                                        f"capacity {CAPACITY_BY_RFS[0][1]:g} Gbps (no cable "
                                        "system with links lands there; nominal)")
                if gc > self.s.long_backhaul_km:
                    cite += ("; a stand-in for the national backbone: the straight line may "
                             "cross the sea where the country is not contiguous")
                    long_links.append({"link": f"bh:{landing.id}", "country": code,
                                       "great_circle_km": round(gc, 1)})
                cite += "; " + _price_cite("terrestrial")
                self.links.append({
                    "id": f"bh:{landing.id}", "from_node": landing.id, "to_node": city,
                    "kind": "metro" if length <= self.s.metro_max_km else "terrestrial",
                    "system": f"Domestic backhaul {text}", "capacity_gbps": capacity,
                    "design_capacity_gbps": None,
                    "price_usd_per_mbps_month":
                        PRICE_RATES["terrestrial"].usd_per_mbps_month_km * length,
                    "length_km": round(length, 3), "route_factor": self.s.route_factor,
                    "status": "existing" if existing or not systems else "planned",
                    "rfs_year": None if existing or not years else min(years),
                    "capex_usd": None, "tg_cable_id": None, "citation": cite})
        return long_links


HUB_LANDING_OVERRIDES: Mapping[str, tuple[str, ...]] = {
    "RUS": ("logi-russia",),
}
"""Countries whose country node is placed at a named landing point rather than by the
rule (the first id present in the snapshot is used). Russia: its landing points are mostly
in the Far East and on Sakhalin and the Kurils (one cable each), while its users are
mostly in European Russia; Logi, on the Gulf of Finland near St Petersburg, stands in."""


def _centroid(points: Sequence[Point]) -> Point:
    xyz = np.zeros(3)
    for lon, lat in points:
        lo, la = math.radians(lon), math.radians(lat)
        xyz += (math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la))
    x, y, z = xyz
    return math.degrees(math.atan2(y, x)), math.degrees(math.atan2(z, math.hypot(x, y)))


_NODE_ORDER = ["id", "name", "kind", "country", "lon", "lat", "tg_id", "metro",
               "transit_price_usd_per_mbps_month", "citation"]
_LINK_ORDER = ["id", "from_node", "to_node", "kind", "system", "capacity_gbps",
               "design_capacity_gbps", "price_usd_per_mbps_month", "length_km", "route_factor",
               "status", "rfs_year", "capex_usd", "tg_cable_id", "citation"]


def read_telegeography(source: str | os.PathLike[str], snapshot_label: str | None = None,
                       capacity_csv: str | os.PathLike[str] | None = None,
                       settings: ImportSettings | None = None,
                       cities: bool = True) -> TelegeographyImport:
    """Read a TeleGeography data folder (either layout) into a validated topology.

    Parameters
    ----------
    source : path-like
        Folder holding ``cable/cable-geo.json``, ``cable/<slug>.json`` and
        ``landing-point/landing-point-geo.json``.
    snapshot_label : str, optional
        Names the snapshot in citations (``[TeleGeography <label>]``); default the folder
        name. Its first four-digit year (else the folder name's) is the snapshot year: in
        the v2 layout, which has no ``is_planned``, cables with a later RFS are ``planned``.
    capacity_csv : path-like, optional
        Design capacities (``system, design_capacity_gbps, citation``), see
        :func:`load_capacity_csv`; other cables get the default of their RFS era.
    settings : ImportSettings, optional
        Tolerances and defaults.
    cities : bool
        Add one ``city`` node per country with backhaul links from its landing points
        (needed for demand and exchange policies).

    Returns
    -------
    TelegeographyImport

    Raises
    ------
    ImportFormatError
        When a file is missing or malformed, listing every problem with its file,
        feature or landing point (number and id) and field.
    """
    settings = settings or ImportSettings()
    started = time.perf_counter()
    folder = Path(source)
    if not folder.is_dir():
        raise ImportFormatError(f"TeleGeography folder {str(folder)!r} does not exist", [
            Problem(str(folder), None, None, "no such folder" if not folder.exists() else
                    "is a file; expected the folder holding cable/ and landing-point/")])
    label = snapshot_label or folder.resolve().name
    year = _snapshot_year(label, folder.resolve().name)
    problems: list[Problem] = []
    info: dict[str, Any] = {}
    cable_dir = folder / "cable"
    geo_path = cable_dir / "cable-geo.json"
    lp_path = folder / "landing-point" / "landing-point-geo.json"
    geo = _read_cable_geo(geo_path, problems, info)
    geo_landings = _read_landing_geo(lp_path, problems, info)
    files: dict[str, _CableFile] = {}
    index_files: list[str] = []
    if cable_dir.is_dir():
        for path in sorted(cable_dir.glob("*.json")):
            if path.name == "cable-geo.json":
                continue
            parsed = _read_cable_file(path, problems)
            if parsed == "index":
                index_files.append(path.name)
            elif isinstance(parsed, _CableFile):
                if parsed.id in files:
                    problems.append(Problem(str(path), None, "id", f"cable id {parsed.id!r} is "
                                            f"also used by {files[parsed.id].file}"))
                else:
                    files[parsed.id] = parsed
    if problems:
        raise ImportFormatError(f"TeleGeography data in {str(folder)!r} cannot be imported",
                                problems)
    read_s = time.perf_counter() - started
    all_ids = sorted(set(geo) | set(files))
    capacities: dict[str, tuple[float, str]] = {}
    if capacity_csv is not None:
        names = {cid: (files[cid].name if cid in files and files[cid].name else
                       (geo[cid].name if cid in geo and geo[cid].name else cid))
                 for cid in all_ids}
        capacities = load_capacity_csv(capacity_csv, names)
    builder = _Builder(label, year, settings, capacities)
    builder.unparseable.extend(info.get("landing_features_unparseable", []))
    t = time.perf_counter()
    for cid in all_ids:
        builder.cable(cid, files.get(cid), geo.get(cid), geo_landings)
    infer_s = time.perf_counter() - t
    long_links = builder.landing_nodes_and_cities(cities)
    nodes = pd.DataFrame(builder.nodes, columns=_NODE_ORDER)
    links = pd.DataFrame(builder.links, columns=_LINK_ORDER)
    nodes = nodes.sort_values("id", kind="stable").reset_index(drop=True)
    links = links.sort_values("id", kind="stable").reset_index(drop=True)
    links["rfs_year"] = links["rfs_year"].astype("Int64")
    t = time.perf_counter()
    network = Network.from_tables(nodes, links, builder.routes, name=folder.resolve().name,
                                  route_citations=builder.route_cites)
    validate_s = time.perf_counter() - t
    layouts = []
    if any(e.latlon is not None for f in files.values() for e in f.landings):
        layouts.append("v2")
    if any(e.country is not None for f in files.values() for e in f.landings):
        layouts.append("current")
    used_ids = set(builder.landings)
    unused = sorted(set(geo_landings) - used_ids)
    ignored: Counter[str] = Counter(k for f in files.values() for k in f.extra)
    unparse_counts: dict[str, dict[str, int]] = defaultdict(dict)
    for item in builder.unparseable:
        key = re.sub(r"\[\d+\]", "[]", item["field"])
        unparse_counts[key][item["reason"]] = unparse_counts[key].get(item["reason"], 0) + 1
    summary = network.summary()
    report: dict[str, Any] = {
        "cablesim_version": __version__,
        "source": str(folder),
        "snapshot": label,
        "snapshot_year": year,
        "layout": "+".join(layouts) or "unknown",
        "citation_tag": builder.tag,
        "files": {
            "cable_geo": str(geo_path), "landing_point_geo": str(lp_path),
            "cable_files": len(files), "index_files_skipped": index_files,
            "geometry_features": info.get("geometry_features", 0),
            "geometry_features_merged_into_one_cable": info.get("geometry_features_merged", 0),
            "landing_point_features": info.get("landing_features", 0),
            "landing_point_features_duplicate": info.get("landing_features_duplicate_count", 0),
            "landing_point_ids_duplicate": info.get("landing_features_duplicate", []),
        },
        "counts": {
            "cables": len(all_ids),
            "cables_in_geometry": len(geo),
            "cables_with_file": len(files),
            "cables_with_links": sum(1 for c in builder.cables if c["segments"] > 0),
            "landing_points": len(builder.landings),
            "branching_units": int((nodes["kind"] == "junction").sum()),
            "cities": int((nodes["kind"] == "city").sum()),
            "countries": len({x.country for x in builder.landings.values()}
                             - {UNKNOWN_COUNTRY}),
            "nodes": summary["nodes"],
            "links": summary["links"],
            "links_by_kind": summary["links_by_kind"],
            "links_by_status": summary["links_by_status"],
            "components": summary["components"],
            "total_km": summary["total_km"],
        },
        "cables_by_outcome": dict(sorted(Counter(c["outcome"] for c in builder.cables).items())),
        "cables_by_status": dict(sorted(Counter(c["status"] or "unknown"
                                                for c in builder.cables).items())),
        "fallbacks": dict(sorted(Counter(f["kind"] for f in builder.fallbacks).items())),
        "fallback_details": builder.fallbacks,
        "tbd_landing_points": builder.tbd,
        "unparseable_fields": builder.unparseable,
        "unparseable_counts": {k: dict(sorted(v.items())) for k, v in
                               sorted(unparse_counts.items())},
        "landing_points_without_coordinates": builder.no_coords,
        "duplicate_landing_entries": builder.duplicates,
        "unknown_countries": [{"name": k, "landing_points": sorted(set(v))}
                              for k, v in sorted(builder.unknown_country.items())],
        "unused_landing_points": {"count": len(unused), "ids": unused},
        "ignored_fields": dict(sorted(ignored.items())),
        "capacity": dict(sorted(builder.capacity_sources.items())),
        "long_backhaul_links": long_links,
        "settings": {k: getattr(settings, k) for k in settings.__dataclass_fields__},
        "cables": builder.cables,
        "timings_s": {"read": round(read_s, 3), "segments": round(infer_s, 3),
                      "validate": round(validate_s, 3),
                      "total": round(time.perf_counter() - started, 3)},
    }
    return TelegeographyImport(network, report, nodes, links, builder.routes,
                               builder.route_cites)


def import_telegeography(source: str | os.PathLike[str],
                         out: str | os.PathLike[str] | None = None,
                         snapshot_label: str | None = None,
                         capacity_csv: str | os.PathLike[str] | None = None,
                         settings: ImportSettings | None = None,
                         cities: bool = True) -> TelegeographyImport:
    """Import a TeleGeography folder and write a topology folder.

    Writes ``nodes.csv``, ``links.csv``, ``geometry.geojson`` (the format of
    :func:`cablesim.load_topology`), ``import_report.json`` and ``import_report.md`` into
    ``out``, each atomically; with ``out=None`` nothing is written (the same as
    :func:`read_telegeography`). Other parameters as for :func:`read_telegeography`.

    Raises
    ------
    ImportFormatError
        As :func:`read_telegeography`; nothing is written then.
    """
    started = time.perf_counter()
    result = read_telegeography(source, snapshot_label, capacity_csv, settings, cities)
    if out is None:
        return result
    folder = Path(out)
    save_topology(result.network, folder)
    result.report["timings_s"]["write"] = round(time.perf_counter() - started
                                                - result.report["timings_s"]["total"], 3)
    write_import_report(result.report, folder)
    return result


def write_import_report(report: Mapping[str, Any], folder: str | os.PathLike[str]) -> list[Path]:
    """Write ``import_report.json`` and ``import_report.md`` into ``folder`` (atomically)."""
    folder = Path(folder)
    return [atomic_write_text(folder / REPORT_JSON,
                              json.dumps(report, indent=1, ensure_ascii=False, default=str)
                              + "\n"),
            atomic_write_text(folder / REPORT_MD, import_report_markdown(report))]


def _md_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _md_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return out


def import_report_markdown(report: Mapping[str, Any]) -> str:
    """The import report as Markdown (the text of ``import_report.md``)."""
    c = report["counts"]
    lines = [
        f"# Import report: TeleGeography {report['snapshot']}",
        "",
        f"Source `{report['source']}` (layout: {report['layout']}); cablesim "
        f"{report['cablesim_version']}. Data (c) TeleGeography, CC BY-NC-SA 3.0: attribute "
        "TeleGeography wherever results derived from it are shown.",
        "",
        f"Every one of the {c['cables']} cables is listed below with its outcome: "
        + ", ".join(f"{v} {k}" for k, v in report["cables_by_outcome"].items())
        + ". By status: " + ", ".join(f"{v} {k}" for k, v in report["cables_by_status"].items())
        + ".",
        "",
        "## Summary",
        "",
    ]
    lines += _md_table(["item", "count"], [
        ("cables (union of cable-geo.json and the per-cable files)", c["cables"]),
        ("cables in cable-geo.json", c["cables_in_geometry"]),
        ("cables with a per-cable file", c["cables_with_file"]),
        ("cables with links", c["cables_with_links"]),
        ("landing points imported", c["landing_points"]),
        ("landing points in landing-point-geo.json used by no cable (not imported)",
         report["unused_landing_points"]["count"]),
        ("branching units (junction nodes)", c["branching_units"]),
        ("countries (city nodes)", f"{c['countries']} ({c['cities']})"),
        ("nodes / links", f"{c['nodes']} / {c['links']}"),
        ("links by kind", ", ".join(f"{k} {v}" for k, v in c["links_by_kind"].items())),
        ("connected components", c["components"]),
        ("total length, km", f"{c['total_km']:,.0f}"),
    ])
    lines += ["", "## Fallbacks", "",
              "Kinds: `no_geometry` / `geometry_unmatched` / `geometry_unusable` (the cable is "
              "approximated by the shortest tree joining its landing points); "
              "`landing_connector` (a landing point beyond the snap tolerance is joined to the "
              "nearest route point by a straight connector); `colocated_landing` (two landing "
              "points at one route point, joined by a short straight link); `gap_bridged` "
              "(pieces of the drawing joined by a straight link); `loop_dropped` (a loop of the "
              "drawing without a landing point); `length_scaled` (segment lengths scaled up to "
              "the stated cable length); `length_mismatch` (the drawing is longer than the "
              "stated length: drawn lengths kept).", ""]
    lines += _md_table(["kind", "count"], sorted(report["fallbacks"].items()))
    lines += [""]
    lines += _md_table(["cable", "kind", "detail"], [(f["cable"], f["kind"], f["detail"])
                                                     for f in report["fallback_details"]])
    lines += ["", "## Unparseable or not-available fields", ""]
    lines += _md_table(["field", "counts"], [(k, ", ".join(f"{r} {n}" for r, n in v.items()))
                                             for k, v in report["unparseable_counts"].items()])
    lines += [""]
    lines += _md_table(["file", "field", "value", "reason"],
                       [(Path(u["file"]).name, u["field"], u["value"], u["reason"])
                        for u in report["unparseable_fields"]])
    lines += ["", "## t.b.d. landing points", "",
              "Kept as landing nodes at TeleGeography's placeholder position (flagged in their "
              "citation).", ""]
    lines += _md_table(["cable", "landing point", "id", "name"],
                       [(t["cable"], t["landing_point"], t["id"], t["name"])
                        for t in report["tbd_landing_points"]])
    lines += ["", "## Landing points without a position (left out of their cable)", ""]
    lines += _md_table(["cable", "landing point", "id"],
                       [(t["cable"], t["landing_point"], t["id"])
                        for t in report["landing_points_without_coordinates"]])
    lines += ["", "## Unknown country names", "",
              f"Their landing points get the code {UNKNOWN_COUNTRY} and no country node.", ""]
    lines += _md_table(["name", "landing points"],
                       [(u["name"], ", ".join(u["landing_points"]))
                        for u in report["unknown_countries"]])
    dup = report["duplicate_landing_entries"]
    lines += ["", f"Landing points listed twice in one cable (second entry ignored): {len(dup)}. "
              f"Landing point features repeated in landing-point-geo.json (first used): "
              f"{report['files']['landing_point_features_duplicate']}. Cable features merged "
              f"into one cable: {report['files']['geometry_features_merged_into_one_cable']}.",
              "", "Members not used by the importer (ignored): "
              + (", ".join(f"`{k}` ({v})" for k, v in report["ignored_fields"].items())
                 or "none") + ".", "",
              "Capacity: " + ", ".join(f"{k}: {v} cables" for k, v in report["capacity"].items())
              + ".", "",
              f"Backhaul links longer than {report['settings']['long_backhaul_km']:,.0f} km "
              f"(stand-ins for a national backbone): {len(report['long_backhaul_links'])}.", ""]
    if report.get("demand"):
        d = report["demand"]
        lines += [f"Demand: `{d['file']}`, {d['pairs']:,} pairs between {d['countries']} "
                  f"countries, {d['total_gbps']:,.0f} Gbps in total ({d.get('citation', '')}). "
                  "Countries left out (not in the main connected component, or no "
                  "international cable): " + (", ".join(d.get("excluded_countries", []))
                                              or "none") + ".", ""]
    for m in report.get("merged", []):
        lines += [f"Merged `{m['other']}`: landing points matched by id "
                  f"{m['landings_matched_by_id']}, by distance (<= {m['match_km']:g} km) "
                  f"{len(m['landings_matched_by_distance'])}; nodes added {m['nodes_added']} "
                  f"({', '.join(f'{k} {v}' for k, v in m['nodes_added_by_kind'].items())}); "
                  f"links added {m['links_added']} "
                  f"({', '.join(f'{k} {v}' for k, v in m['links_added_by_kind'].items())}); "
                  f"submarine links dropped as duplicates of imported cables "
                  f"{m['submarine_links_dropped_as_duplicates']} "
                  f"({len(m['cables_dropped_as_duplicates'])} cables); country nodes replaced: "
                  + (", ".join(m["country_nodes_replaced"]) or "none")
                  + f"; backhaul links re-pointed {m['backhaul_links_repointed']}.", ""]
    lines += ["## Cables", ""]
    lines += _md_table(
        ["cable", "outcome", "status", "RFS", "landings (used/listed)", "t.b.d.", "segments",
         "BUs", "route km", "stated km", "scale", "capacity Gbps", "fallbacks"],
        [(c["id"], c["outcome"], c["status"], c["rfs_year"],
          f"{c['landing_points_used']}/{c['landing_points_listed']}", c["tbd_landing_points"],
          c["segments"], c["branching_units"], c["route_km"], c["stated_km"], c["length_scale"],
          c["capacity_gbps"], ", ".join(sorted(set(c["fallbacks"]))) or c["reason"])
         for c in report["cables"]])
    t = report["timings_s"]
    lines += ["", "Timings, s: " + ", ".join(f"{k} {v}" for k, v in t.items()) + ".", ""]
    return "\n".join(lines)
