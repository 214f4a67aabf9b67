"""Reference tables and documented defaults of the TeleGeography importer.

Tolerances (:class:`ImportSettings`), default capacity by RFS era (:data:`CAPACITY_BY_RFS`),
lease price rates (:data:`PRICE_RATES`), country names to ISO 3166-1 alpha-3
(:data:`COUNTRY_ISO3`, :func:`country_iso3`) and the hand-picked country node landings
(:data:`HUB_LANDING_OVERRIDES`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "KM_PER_DEG",
    "ImportSettings",
    "ROUTE_FACTOR_CITE",
    "CAPACITY_BY_RFS",
    "PriceRate",
    "PRICE_RATES",
    "price_class",
    "price_citation",
    "capacity_default",
    "COUNTRY_ISO3",
    "UNKNOWN_COUNTRY",
    "country_iso3",
    "HUB_LANDING_OVERRIDES",
]

REPORT_JSON = "import_report.json"
REPORT_MD = "import_report.md"

KM_PER_DEG = 6371.0088 * math.pi / 180.0

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


def price_citation(name: str) -> str:
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


HUB_LANDING_OVERRIDES: Mapping[str, tuple[str, ...]] = {
    "RUS": ("logi-russia",),
}
"""Countries whose country node is placed at a named landing point rather than by the
rule (the first id present in the snapshot is used). Russia: its landing points are mostly
in the Far East and on Sakhalin and the Kurils (one cable each), while its users are
mostly in European Russia; Logi, on the Gulf of Finland near St Petersburg, stands in."""

