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

Modules: :mod:`.reference` (settings, default capacities and prices, country codes),
:mod:`.reader` (the JSON and GeoJSON files of both layouts, and free-text values),
:mod:`.segments` (segment inference), :mod:`.capacity` (the user capacity CSV),
:mod:`.build` (records to node and link tables: :func:`read_telegeography`,
:func:`import_telegeography`) and :mod:`.report` (the import report and its files).
"""

from __future__ import annotations

from cablesim.io.telegeography.build import (
    TelegeographyImport,
    import_telegeography,
    read_telegeography,
)
from cablesim.io.telegeography.capacity import load_capacity_csv
from cablesim.io.telegeography.reader import parse_length_km, parse_rfs_year
from cablesim.io.telegeography.reference import (
    CAPACITY_BY_RFS,
    COUNTRY_ISO3,
    HUB_LANDING_OVERRIDES,
    PRICE_RATES,
    UNKNOWN_COUNTRY,
    ImportSettings,
    capacity_default,
    country_iso3,
    price_class,
)
from cablesim.io.telegeography.report import (
    REPORT_JSON,
    REPORT_MD,
    import_report_markdown,
    write_import_report,
)
from cablesim.io.telegeography.segments import (
    CableSegment,
    SegmentInference,
    approximate_segments,
    infer_segments,
)

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
