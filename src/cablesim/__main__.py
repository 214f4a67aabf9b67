"""``python -m cablesim`` runs the command line.

A SIGTERM or Ctrl-C that arrives while the command line is still being imported (before it
installs its own handlers) ends the process the way a later interrupt does: a one-line
message, exit status 130, nothing written.
"""

import os
import signal
import sys


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


signal.signal(signal.SIGTERM, _interrupt)
try:
    from cablesim.cli import run
except KeyboardInterrupt:
    sys.stderr.write("cablesim: interrupted\n")
    sys.stderr.flush()
    os._exit(130)

run()
