"""``python -m cablesim`` runs the command line."""

from cablesim.cli import run

run()
