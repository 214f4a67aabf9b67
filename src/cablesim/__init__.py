"""cablesim: connectivity and bandwidth-cost simulation of Internet cable networks.

The public API is small and re-exported here::

    import cablesim
    net = cablesim.load_topology("topology/china_asean")
    net.nodes, net.links          # GeoDataFrames (EPSG:4326) indexed by id
    g = net.graph()               # networkx MultiGraph view, one edge per link
    cablesim.Network.from_graph(g)

    exp = cablesim.load_experiment("experiments/hairpin_vs_guangxi.toml")
    result = cablesim.run_experiment(exp)       # tidy tables: result.scenarios, .pairs, ...
    cablesim.write_results(result, "results/hairpin_vs_guangxi")
"""

from typing import TYPE_CHECKING

from cablesim._errors import (
    CablesimError,
    DemandError,
    ImportFormatError,
    InvariantError,
    OutputError,
    Problem,
    RoutingError,
    ScenarioError,
    TopologyError,
)
from cablesim._version import __version__

if TYPE_CHECKING:  # the lazy names below, for type checkers
    from cablesim.experiment import (
        Experiment,
        ExperimentResult,
        load_experiment,
        path_between,
        run_experiment,
        write_results,
    )
    from cablesim.io.topology import load_topology, save_topology
    from cablesim.network import Network

_LAZY = {
    "Experiment": "cablesim.experiment",
    "ExperimentResult": "cablesim.experiment",
    "load_experiment": "cablesim.experiment",
    "path_between": "cablesim.experiment",
    "run_experiment": "cablesim.experiment",
    "write_results": "cablesim.experiment",
    "load_topology": "cablesim.io.topology",
    "save_topology": "cablesim.io.topology",
    "Network": "cablesim.network",
}
"""Public names imported on first use, so that ``import cablesim`` (and the command line's
start-up, where a Ctrl-C must not give a traceback) stays light."""


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cablesim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "__version__",
    "Network",
    "load_topology",
    "save_topology",
    "Experiment",
    "ExperimentResult",
    "load_experiment",
    "run_experiment",
    "write_results",
    "path_between",
    "CablesimError",
    "TopologyError",
    "ScenarioError",
    "DemandError",
    "ImportFormatError",
    "RoutingError",
    "InvariantError",
    "OutputError",
    "Problem",
]
