"""Reading and writing cablesim's file formats (the ground floor above the schema)."""

from cablesim.io.topology import load_topology, save_topology

__all__ = ["load_topology", "save_topology"]
