"""Maps and charts of cablesim topologies and experiment results (matplotlib, offline).

Maps::

    from cablesim import plot
    fig = plot.plot_network(net, extent=study.map_extent)       # or "world", a bbox, "auto"
    fig = plot.plot_scenario(result, "guangxi_hub", network=net)
    fig = plot.plot_comparison(result, "hairpin_us", "guangxi_hub", network=net)
    fig = plot.plot_difference(result, "hairpin_us", "guangxi_hub", network=net)
    paths = cablesim.experiment.path.paths_under(exp, "VNHAN", "IDJKT", ["direct", "hairpin_us"])
    fig = plot.plot_paths(net, "VNHAN", "IDJKT", paths)
    plot.save_figure(fig, "map.png")                             # or .svg; atomic

Plots draw what they are given: results, paths and the topology. They never load a file or
run an experiment (``cablesim.commands.maps.render_map`` does that for the ``map`` command).

Charts: :func:`plot_latency_cdf`, :func:`plot_country_costs`,
:func:`plot_utilisation_histogram`, :func:`plot_transit_prices`.

Everything draws on matplotlib's Agg canvas (no display, no pyplot state). Country outlines
are the Natural Earth 1:50m countries shipped in ``cablesim/data/naturalearth`` (public
domain); nothing is downloaded.
"""

from cablesim.plot._figure import FORMATS, figure_bytes, figure_size, save_figure
from cablesim.plot.basemap import EXTENTS, MapFrame, country_outlines, map_pixel, resolve_extent
from cablesim.plot.charts import (
    plot_country_costs,
    plot_latency_cdf,
    plot_transit_prices,
    plot_utilisation_histogram,
)
from cablesim.plot.maps import (
    UTILISATION_CMAP,
    plot_comparison,
    plot_difference,
    plot_network,
    plot_scenario,
)
from cablesim.plot.pathmaps import plot_paths

__all__ = [
    "plot_network",
    "plot_scenario",
    "plot_comparison",
    "plot_difference",
    "plot_paths",
    "plot_latency_cdf",
    "plot_country_costs",
    "plot_utilisation_histogram",
    "plot_transit_prices",
    "figure_size",
    "save_figure",
    "figure_bytes",
    "FORMATS",
    "map_pixel",
    "country_outlines",
    "resolve_extent",
    "MapFrame",
    "EXTENTS",
    "UTILISATION_CMAP",
]
