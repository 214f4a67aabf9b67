"""Sub-commands of the ``cablesim`` command line that live in their own modules.

Each module exposes ``register(subparsers)``, which adds its parser(s) and sets
``handler(args, out, err) -> int`` as the default; :mod:`cablesim.cli` keeps argument
errors, printing of problems and exit codes in one place.
"""

COMMAND_MODULES = (
    "cablesim.commands.maps",
    "cablesim.commands.importer",
    "cablesim.commands.simulate",
    "cablesim.commands.plan",
    "cablesim.commands.calibrate",
)
"""Modules registered by :func:`cablesim.cli.build_parser`, in help order."""
