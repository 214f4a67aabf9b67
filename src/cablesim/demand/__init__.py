"""Traffic demand: a calibrated gravity model, user demand matrices and growth.

A demand table has one row per (origin, destination, traffic class) with the columns of
:data:`DEMAND_OUTPUT_COLUMNS`: node ids, the demand in Gbps (busy-hour, one direction, origin
to destination), the two ends' ISO 3166-1 alpha-3 countries and the traffic class, one of
the study's :attr:`~cablesim.study.Study.traffic_classes`.

The gravity model (:func:`gravity_demand`) spreads the Internet users of the study's focus
and partner groups (the ten ASEAN countries and China) over their city and hub nodes and
splits a calibrated busy-hour total

    T = international_gbps x peak_utilisation x (1 + cagr) ** (year - base_year)

into three classes: traffic within the focus group (``intra_asean``) and between partner and
focus group (``china_asean``) between cities in different countries, distributed by a gravity
law (users to the powers ``a`` and ``b`` over distance to the power ``gamma``), and
``content`` downloads from the content hubs (by default of the US, Europe, Japan and Hong
Kong/Singapore) to the focus group's cities. :class:`GravityParams` holds the parameters and says
where each default comes from.

User matrices (:func:`load_demand_csv`) are read like topology files: every problem is
collected and raised at once as :class:`cablesim.DemandError`, each naming the file, line and
field. :func:`grow_demand` scales a table from one year to another.

The package, one job per module: :mod:`~cablesim.demand.params` (the gravity model's
parameters as settings), :mod:`~cablesim.demand.countries` (the country table),
:mod:`~cablesim.demand.gravity` (the gravity law and the regional and global models) and
:mod:`~cablesim.demand.matrix` (user matrices, traffic classes, growth).
"""

from cablesim.demand.countries import load_country_indicators
from cablesim.demand.gravity import (
    DEMAND_NODE_KINDS,
    GLOBAL_DEMAND_TBPS,
    demand_nodes,
    global_gravity_demand,
    gravity_demand,
    gravity_weights,
)
from cablesim.demand.matrix import (
    DEMAND_CSV_COLUMNS,
    DEMAND_OUTPUT_COLUMNS,
    classify_pairs,
    grow_demand,
    load_demand_csv,
    write_demand_csv,
)
from cablesim.demand.params import (
    DEFAULT_BASE_YEAR,
    DEFAULT_CAGR,
    DEFAULT_CONTENT_HUB_WEIGHTS,
    DEFAULT_CONTENT_HUBS,
    DEFAULT_INTERNATIONAL_GBPS,
    GravityParams,
    class_totals_gbps,
    read_gravity,
)

__all__ = [
    "DEMAND_CSV_COLUMNS",
    "DEMAND_OUTPUT_COLUMNS",
    "DEMAND_NODE_KINDS",
    "DEFAULT_INTERNATIONAL_GBPS",
    "DEFAULT_BASE_YEAR",
    "DEFAULT_CAGR",
    "DEFAULT_CONTENT_HUB_WEIGHTS",
    "DEFAULT_CONTENT_HUBS",
    "GLOBAL_DEMAND_TBPS",
    "GravityParams",
    "read_gravity",
    "class_totals_gbps",
    "load_country_indicators",
    "gravity_weights",
    "gravity_demand",
    "demand_nodes",
    "global_gravity_demand",
    "classify_pairs",
    "load_demand_csv",
    "grow_demand",
    "write_demand_csv",
]
