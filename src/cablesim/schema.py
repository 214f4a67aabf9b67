"""Column tables for cablesim's components (nodes, links) and their enumerations.

The tables below are the single source of truth for column names, types, units, defaults
and meanings, in the spirit of PyPSA's component attribute tables. They drive

- validation of topology folders and in-memory tables (:mod:`cablesim.validation`),
- the defaults filled in for optional columns,
- which columns are written back to files (``derived`` columns are computed, never saved),
- the schema documentation (:func:`schema_markdown`, rendered into ``docs/schema.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Column",
    "NODE_KINDS",
    "LINK_KINDS",
    "CONFIDENCE_CLASSES",
    "LINK_STATUSES",
    "NODE_COLUMNS",
    "LINK_COLUMNS",
    "DEFAULT_EQUIPMENT_LATENCY_MS",
    "MAX_GBPS",
    "MIN_CAPACITY_GBPS",
    "MAX_USD_PER_MBPS_MONTH",
    "MAX_CAPEX_USD",
    "MAX_LENGTH_KM",
    "columns_by_name",
    "file_columns",
    "schema_markdown",
]

NODE_KINDS: tuple[str, ...] = ("landing", "city", "hub", "ixp", "junction")
"""Node kinds: cable landing station, city, exchange/transit hub city, Internet exchange
point, and junction (a submarine branching unit or a terrestrial route junction)."""

LINK_KINDS: tuple[str, ...] = ("submarine", "terrestrial", "metro", "transit", "satellite")
CONFIDENCE_CLASSES: tuple[str, ...] = ("cited", "derived", "estimate")
"""How an input figure is known: *cited* (a source states it), *derived* (computed from cited
figures by a stated rule, e.g. a quoted price scaled by distance) or *estimate* (a stated
assumption)."""
"""Link kinds: submarine cable segment, long-haul terrestrial fibre, short intra-metro
link, logical IP-transit interconnection, and geostationary satellite hop."""

LINK_STATUSES: tuple[str, ...] = ("existing", "planned", "proposed")
"""Link statuses: in service; announced and under construction; proposed by a study or
scenario (not announced)."""

MAX_GBPS = 1e8
"""Largest rate of a link or a demand, Gbps: 100 Pbps (a limit, not a figure: about 200
times the design capacity of the largest submarine systems of the 2020s, ~500 Tbps; a larger
value is a unit error, and it would leave the LP solver nothing it can scale)."""

MIN_CAPACITY_GBPS = 1e-6
"""Smallest capacity of a link, Gbps (1 kbps: below it a link carries nothing measurable)."""

MAX_USD_PER_MBPS_MONTH = 1e5
"""Largest lease or transit price, USD per Mbps per month (a limit: about 100 times the
dearest satellite and island prices quoted in the 2010s)."""

MAX_CAPEX_USD = 1e12
"""Largest build cost of a link, USD (a limit: about 1,000 times a trans-oceanic cable)."""

MAX_LENGTH_KM = 100_000.0
"""Longest route of a link, km (two and a half times around the Earth)."""

MAX_LATENCY_MS = 10_000.0
"""Largest one-way equipment allowance of a link, ms."""

DEFAULT_EQUIPMENT_LATENCY_MS = 0.1
"""One-way latency allowance per link for terminal equipment, ms (estimate: one DWDM
terminal pair plus router forwarding at each end, each in the order of tens of
microseconds; a round 0.1 ms per link is used unless a link states its own)."""


@dataclass(frozen=True)
class Column:
    """One column of a component table.

    Attributes
    ----------
    name : str
        Column name; units are part of the name where a unit applies.
    dtype : str
        ``"str"``, ``"float"``, ``"int"`` or ``"category"``.
    unit : str
        Unit of the values, ``""`` for unitless text.
    required : bool
        The column must be present in a file.
    nullable : bool
        Cells may be empty (then ``default`` applies, or the value is missing).
    default : object
        Value used for empty cells and absent optional columns (``None``: stays missing).
    allowed : tuple of str or None
        The valid values of a category column.
    min, max : float or None
        Bounds of a numeric column.
    min_exclusive : bool
        ``min`` itself is not allowed (e.g. capacity must be > 0).
    derived : bool
        Computed by cablesim on load; never read from or written to files.
    description : str
        What the column holds.
    """

    name: str
    dtype: str
    unit: str
    required: bool
    nullable: bool
    description: str
    default: object = None
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    derived: bool = False


NODE_COLUMNS: tuple[Column, ...] = (
    Column("id", "str", "", True, False,
           "Unique node id: UN/LOCODE for cities and hubs (e.g. SGSIN), TeleGeography "
           "landing-point slug for landing stations (e.g. tuas-singapore)."),
    Column("name", "str", "", True, False, "Human-readable name."),
    Column("kind", "category", "", True, False,
           "One of: " + ", ".join(NODE_KINDS) + ".", allowed=NODE_KINDS),
    Column("country", "str", "ISO 3166-1 alpha-3", True, True,
           "Country code (e.g. SGP, CHN, HKG); may be empty only for a junction at sea."),
    Column("lon", "float", "degrees east (WGS84)", True, False, "Longitude.",
           min=-180.0, max=180.0),
    Column("lat", "float", "degrees north (WGS84)", True, False, "Latitude.",
           min=-90.0, max=90.0),
    Column("tg_id", "str", "", False, True,
           "TeleGeography landing-point slug when the node is a TeleGeography landing point."),
    Column("interconnect", "category", "", False, True,
           "yes: carriers exchange traffic here, so a path may change network or cable "
           "system at this node (cities and hubs always may; a landing station or border "
           "junction only when this says yes, with the reason in the citation). Landing "
           "stations where several systems land without it are one node per system "
           "(cablesim.interconnect.split_landings).", allowed=("yes", "no")),
    Column("metro", "str", "", False, True,
           "For a landing station: id of the city or hub node its traffic is backhauled to."),
    Column("transit_price_usd_per_mbps_month", "float", "USD per Mbps per month", False, True,
           "Wholesale IP transit price at this node (hubs and cities where a price is cited).",
           min=0.0, max=MAX_USD_PER_MBPS_MONTH),
    Column("transit_price_confidence", "category", "", False, True,
           "How transit_price_usd_per_mbps_month is known: " + ", ".join(CONFIDENCE_CLASSES)
           + "; results report the share of transit cost resting on each class.",
           allowed=CONFIDENCE_CLASSES),
    Column("users_weight", "float", "relative (any unit)", False, True,
           "For a city or hub node: its weight in splitting the country's Internet users "
           "over the country's city and hub nodes (e.g. the netizens of the provinces it "
           "serves); blank on every node of a country: split equally.", min=0.0),
    Column("citation", "str", "", True, False,
           "Source of the row's numbers (report, URL, or 'estimate: how')."),
)

LINK_COLUMNS: tuple[Column, ...] = (
    Column("id", "str", "", True, False,
           "Unique link id, e.g. 'apg:03' (system slug and segment number)."),
    Column("from_node", "str", "", True, False, "Id of one end node."),
    Column("to_node", "str", "", True, False, "Id of the other end node (links are undirected)."),
    Column("kind", "category", "", True, False,
           "One of: " + ", ".join(LINK_KINDS) + ".", allowed=LINK_KINDS),
    Column("system", "str", "", True, False,
           "Cable system or route name; parallel systems between the same nodes stay distinct."),
    Column("capacity_gbps", "float", "Gbps", True, False,
           "Capacity available for routing, per direction.", min=MIN_CAPACITY_GBPS,
           max=MAX_GBPS),
    Column("design_capacity_gbps", "float", "Gbps", False, True,
           "Announced design capacity of the system or segment, per direction.",
           min=MIN_CAPACITY_GBPS, max=MAX_GBPS),
    Column("price_usd_per_mbps_month", "float", "USD per Mbps per month", True, False,
           "Lease price of carrying 1 Mbps over this link for a month.", min=0.0,
           max=MAX_USD_PER_MBPS_MONTH),
    Column("length_km", "float", "km", True, True,
           "Route length. Empty: the geodesic length of the link's geometry (its real route "
           "if geometry.geojson has one, else the great circle times route_factor).",
           min=0.0, min_exclusive=True, max=MAX_LENGTH_KM),
    Column("system_length_km", "float", "km", False, True,
           "Stated length of the whole cable system the link belongs to (e.g. "
           "TeleGeography's 'length'); the latency model may scale the system's segments to "
           "it ([latency] stated_lengths).", min=0.0, min_exclusive=True, max=MAX_LENGTH_KM),
    Column("route_factor", "float", "", False, True,
           "Multiplier applied to a great-circle length when the link has neither a length "
           "nor a route geometry (real routes are longer than the great circle).",
           default=1.0, min=1.0, max=100.0),
    Column("status", "category", "", True, False,
           "One of: " + ", ".join(LINK_STATUSES) + ".", allowed=LINK_STATUSES),
    Column("rfs_year", "int", "year", True, True, "Ready-for-service year.",
           min=1850, max=2100),
    Column("capex_usd", "float", "USD", False, True, "Build cost (cited or estimated).",
           min=0.0, max=MAX_CAPEX_USD),
    Column("tg_cable_id", "str", "", False, True,
           "TeleGeography cable slug for segments of a TeleGeography cable."),
    Column("equipment_latency_ms", "float", "ms", False, True,
           "One-way latency allowance for terminal equipment on this link.",
           default=DEFAULT_EQUIPMENT_LATENCY_MS, min=0.0, max=MAX_LATENCY_MS),
    Column("orbit_lon_deg", "float", "degrees east", False, True,
           "Sub-satellite longitude of a geostationary satellite link (kind 'satellite').",
           min=-180.0, max=180.0),
    Column("capacity_confidence", "category", "", False, True,
           "How capacity_gbps is known: " + ", ".join(CONFIDENCE_CLASSES) + " (see the "
           "citation); results report the share of traffic carried on estimated capacity.",
           allowed=CONFIDENCE_CLASSES),
    Column("price_confidence", "category", "", False, True,
           "How price_usd_per_mbps_month is known: " + ", ".join(CONFIDENCE_CLASSES)
           + "; results report the share of lease cost resting on each class.",
           allowed=CONFIDENCE_CLASSES),
    Column("citation", "str", "", True, False,
           "Source of the row's numbers (report, URL, or 'estimate: how')."),
    Column("latency_ms", "float", "ms", False, True,
           "One-way latency: length_km x group index 1.4682 / c plus equipment_latency_ms; "
           "for satellite links the up- and down-link slant ranges / c instead.",
           derived=True),
    Column("length_source", "category", "", False, True,
           "Where length_km came from: 'given', 'geometry' or 'great_circle'.",
           allowed=("given", "geometry", "great_circle"), derived=True),
    Column("geometry_source", "category", "", False, True,
           "Where the geometry came from: 'file' (geometry.geojson) or 'great_circle'.",
           allowed=("file", "great_circle"), derived=True),
    Column("route_citation", "str", "", False, True,
           "Source of the route geometry: the 'citation' property of the link's feature in "
           "geometry.geojson (kept there, not in links.csv).", derived=True),
)


def columns_by_name(columns: tuple[Column, ...]) -> dict[str, Column]:
    """Map column name to :class:`Column` for one component table."""
    return {c.name: c for c in columns}


def file_columns(columns: tuple[Column, ...]) -> list[str]:
    """Names of the columns that are read from and written to files, in order."""
    return [c.name for c in columns if not c.derived]


def _bounds(col: Column) -> str:
    parts = []
    if col.min is not None:
        parts.append(f"{'>' if col.min_exclusive else '>='} {col.min:g}")
    if col.max is not None:
        parts.append(f"<= {col.max:g}")
    return ", ".join(parts)


def schema_markdown() -> str:
    """Render the node and link column tables as Markdown (the text of ``docs/schema.md``)."""
    out = [
        "# Topology schema",
        "",
        "Generated from `cablesim.schema` (do not edit by hand; run "
        "`cablesim schema --out docs/schema.md`).",
        "",
        "A topology is a folder with `nodes.csv`, `links.csv` and, optionally, "
        "`geometry.geojson` (LineString/MultiLineString features whose `properties.id` is a "
        "link id, giving the real route). Extra columns are kept as text.",
    ]
    for title, cols in (("nodes.csv", NODE_COLUMNS), ("links.csv", LINK_COLUMNS)):
        out += ["", f"## {title}", "",
                "| column | type | unit | required | empty allowed | default | bounds "
                "| description |",
                "|---|---|---|---|---|---|---|---|"]
        for c in cols:
            req = "derived" if c.derived else ("yes" if c.required else "no")
            default = "" if c.default is None else f"{c.default}"
            out.append(
                f"| `{c.name}` | {c.dtype} | {c.unit} | {req} | {'yes' if c.nullable else 'no'} "
                f"| {default} | {_bounds(c)} | {c.description} |"
            )
    return "\n".join(out) + "\n"
