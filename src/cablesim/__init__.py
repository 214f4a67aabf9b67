"""cablesim: connectivity and bandwidth-cost simulation of Internet cable networks.

The public API is small and re-exported here::

    import cablesim
    net = cablesim.load_topology("topology/china_asean")
    net.nodes, net.links          # GeoDataFrames (EPSG:4326) indexed by id
    g = net.graph()               # networkx MultiGraph view, one edge per link
    cablesim.Network.from_graph(g)
"""

from cablesim._errors import (
    CablesimError,
    DemandError,
    ImportFormatError,
    Problem,
    RoutingError,
    ScenarioError,
    TopologyError,
)
from cablesim.io.topology import load_topology, save_topology
from cablesim.network import Network

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "Network",
    "load_topology",
    "save_topology",
    "CablesimError",
    "TopologyError",
    "ScenarioError",
    "DemandError",
    "ImportFormatError",
    "RoutingError",
    "Problem",
]
