"""The ``cablesim`` command line: argument parsing, printing and exit codes only.

Exit codes: 0 success; 1 invalid input (the problems are printed, each naming file, row
and field); 2 bad command-line usage; 3 an internal error (a bug: please report it);
130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import importlib
import json
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from cablesim._atomic import atomic_write_text, check_writable
from cablesim._errors import CablesimError
from cablesim._version import __version__
from cablesim.commands import COMMAND_MODULES

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

_USER_OS_ERRORS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT,
                   errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG}
_MACHINE_OS_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}
"""Errors of the machine that are the user's to fix even when no file is named."""
"""Errors of the output location that the user can fix (reported, exit 1, not a bug)."""


def _format_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items())


def format_summary(summary: dict[str, Any]) -> str:
    """Render a :meth:`cablesim.Network.summary` dict as human-readable text."""
    countries = summary["countries"]
    km = "; ".join(f"{k} {v:,.1f}" for k, v in summary["km_by_kind"].items())
    lines = [
        f"topology {summary['name']}: valid",
        f"  nodes       {summary['nodes']:>6}  ({_format_counts(summary['nodes_by_kind'])})",
        f"  links       {summary['links']:>6}  ({_format_counts(summary['links_by_kind'])})",
        f"  status              ({_format_counts(summary['links_by_status'])})",
        f"  systems     {len(summary['systems']):>6}",
        f"  countries   {len(countries):>6}  ({' '.join(countries)})",
        f"  total km    {summary['total_km']:>12,.1f}  ({km})",
        f"  components  {summary['components']:>6}  (existing links only: "
        f"{summary['components_existing']}; sizes {summary['component_sizes'][:5]})",
    ]
    if summary["isolated_nodes"]:
        lines.append(f"  isolated nodes: {', '.join(summary['isolated_nodes'])}")
    return "\n".join(lines)


def _cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cablesim.io.topology import load_topology
    from cablesim.study import find_study
    from cablesim.study_data import check_study_data

    study_file: str | None = None
    data = None
    try:
        network = load_topology(args.path)
        study = find_study(Path(args.path))
        if study.path is not None:
            study_file = str(study.path)
            data = check_study_data(study, network)
    except CablesimError as exc:
        if args.json:
            json.dump({"valid": False, "path": args.path,
                       "problems": [p.as_dict() for p in exc.problems]}, out, indent=2)
            out.write("\n")
        raise
    summary = network.summary()
    if args.json:
        counts = {"bandwidth_figures": None, "lit_anchors": None, "transit_roles": None,
                  "transit_prices": None}
        if data is not None:
            counts = {k: getattr(data, k) for k in counts}
        json.dump({"valid": True, "path": args.path, "study": study_file, **counts,
                   **summary}, out, indent=2)
        out.write("\n")
    else:
        out.write(format_summary(summary) + "\n")
        if study_file is not None:
            line = f"  study          {study_file}: valid"
            labels = (("bandwidth_figures", "bandwidth table: {} cited figures"),
                      ("lit_anchors", "lit capacity: {} cited anchors"),
                      ("transit_roles", "transit roles: {} countries"),
                      ("transit_prices", "transit prices: {} cited figures"))
            tables = [text.format(getattr(data, key)) for key, text in labels
                      if data is not None and getattr(data, key) is not None]
            if tables:
                line += " (" + "; ".join(tables) + ")"
            out.write(line + "\n")
    return EXIT_OK


def _print_or_write(text: str, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print a generated document, or write it to ``--out`` (atomically)."""
    if args.out:
        check_writable(args.out, folder=False, name="document")
        atomic_write_text(args.out, text)
        err.write(f"wrote {args.out}\n")
    else:
        out.write(text)
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cablesim.schema import schema_markdown

    return _print_or_write(schema_markdown(), args, out, err)


def _cmd_settings(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cablesim.settings_reference import settings_reference_markdown

    return _print_or_write(settings_reference_markdown(), args, out, err)


def _cmd_run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cablesim.experiment import load_experiment, run_experiment
    from cablesim.experiment.write import results_folder, write_results

    experiment = load_experiment(args.experiment)
    out_dir = Path(args.out) if args.out else Path("results") / experiment.name
    total = time.perf_counter()

    def progress(stage: str, seconds: float) -> None:
        err.write(f"  {stage:<45} {seconds:8.3f} s\n")
        _raise_pending_interrupt()

    # checked, and locked against a second writer, before any computing
    with results_folder(experiment, out_dir, force=args.force).open() as folder:
        err.write(f"running {experiment.name}: {len(experiment.scenarios)} scenarios\n")
        result = run_experiment(experiment, progress)
        t = time.perf_counter()

        def report(stage: Path) -> list[Path]:
            if args.no_report:
                return []
            from cablesim.report import write_report

            return write_report(result, stage, progress=progress)

        files = write_results(result, folder, extra=report)
    progress("write results", time.perf_counter() - t)
    err.write(f"  {'total':<45} {time.perf_counter() - total:8.3f} s\n")
    out.write((out_dir / "summary.md").read_text())
    err.write(f"wrote {len(files)} files to {out_dir}\n")
    return EXIT_OK


def _cmd_path(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cablesim.experiment import path_between

    info = path_between(args.scenario, args.origin, args.destination, policy=args.policy,
                        topology=args.topology, scenario_name=args.name)
    if args.json:
        json.dump(info, out, indent=2)
        out.write("\n")
    else:
        out.write(f"{info['origin']} -> {info['destination']} under {info['scenario']} "
                  f"(exchange: {info['via'] or 'direct'})\n"
                  f"  path    {' > '.join(info['nodes'])}\n"
                  f"  links   {', '.join(info['links'])}\n"
                  f"  rtt     {info['rtt_ms']:.1f} ms (fibre floor {info['floor_rtt_ms']:.1f} ms, "
                  f"stretch {info['stretch']:.2f})\n"
                  f"          = " + " + ".join(
                      f"{v:.1f} {k.removesuffix('_ms').replace('_', ' ')}"
                      for k, v in info["rtt_parts_ms"].items()) + "\n"
                  f"  cost    {info['cost_usd_per_mbps_month']:.3f} USD per Mbps per month\n"
                  f"  systems {' > '.join(info['systems'])}\n"
                  f"  crosses " + ("; ".join(f"{c['country']} ({c['role']})"
                                            for c in info["crossings"]) or "-") + "\n"
                  + "".join(_handover_line(h) for h in info["handovers"]))
    return EXIT_OK


def _handover_line(h: dict[str, Any]) -> str:
    where = f" ({h['country']})" if h["country"] else ""
    flag = "" if h["interconnection_point"] else " NOT an interconnection point"
    return f"  changes {h['from']} -> {h['to']} at {h['node']}{where}{flag}\n"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``cablesim`` command."""
    parser = argparse.ArgumentParser(
        prog="cablesim",
        description="Connectivity and bandwidth-cost simulation of Internet cable networks.",
    )
    parser.add_argument("--version", action="version", version=f"cablesim {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the Python traceback of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    validate = sub.add_parser(
        "validate", help="check a topology folder and print its summary",
        description="Check a topology folder (nodes.csv, links.csv, geometry.geojson) and "
        "print a summary; every problem is listed with its file, row and field.")
    validate.add_argument("path", help="topology folder, e.g. topology/china_asean")
    validate.add_argument("--json", action="store_true", help="print the result as JSON")
    validate.set_defaults(handler=_cmd_validate)
    run = sub.add_parser(
        "run", help="run an experiment and write its tables, maps and report",
        description="Run every scenario of an experiment TOML file; write scenarios.csv, "
        "pairs.csv, countries.csv, links.csv, transit_prices.csv, summary.md, report.md, "
        "report.html (self-contained), the maps and charts, and manifest.json into the "
        "output folder, printing the time of each stage.")
    run.add_argument("experiment", help="experiment file, e.g. experiments/hairpin_vs_guangxi.toml")
    run.add_argument("--out", help="output folder (default results/<experiment name>)")
    run.add_argument("--force", action="store_true",
                     help="replace results of other inputs in the output folder")
    run.add_argument("--no-report", action="store_true",
                     help="write the tables and summary.md only (no maps, charts, report)")
    run.set_defaults(handler=_cmd_run)
    path = sub.add_parser(
        "path", help="show the path, RTT and cost between two nodes",
        description="Route one origin-destination pair under a scenario (from an experiment "
        "file) or a policy preset, and print its path, RTT, fibre floor and cost.")
    path.add_argument("--from", dest="origin", required=True, help="origin node id, e.g. VNHAN")
    path.add_argument("--to", dest="destination", required=True, help="destination node id")
    path.add_argument("--scenario", default="experiments/hairpin_vs_guangxi.toml",
                      help="experiment file (default: the flagship)")
    path.add_argument("--name", help="scenario name within the file (default: the first, or "
                      "the one named like --policy)")
    path.add_argument("--policy", help="a policy preset to use instead of the scenario's")
    path.add_argument("--topology", help="topology folder to use instead of the scenario's")
    path.add_argument("--json", action="store_true", help="print the result as JSON")
    path.set_defaults(handler=_cmd_path, flags={"origin": "--from", "destination": "--to",
                                               "policy": "--policy"})
    schema = sub.add_parser("schema", help="print the topology file schema (Markdown)",
                            description="Print the column tables of nodes.csv and links.csv.")
    schema.add_argument("--out", help="write to this file instead of standard output")
    schema.set_defaults(handler=_cmd_schema)
    settings = sub.add_parser(
        "settings", help="print the settings reference of experiment, study, simulation and "
        "plan files (Markdown)",
        description="Print every key of experiment, study, simulation and plan files with "
        "its type, unit, default, bounds and meaning (docs/settings.md).")
    settings.add_argument("--out", help="write to this file instead of printing")
    settings.set_defaults(handler=_cmd_settings)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # not built yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None, *, exiting: bool = False) -> int:
    """Run the command line; return the exit status.

    ``exiting``: the process ends after this call (the console script): once interrupted,
    further Ctrl-C or SIGTERM are ignored so that the clean-up and the message complete.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    previous = _raise_on_sigterm()  # first: a SIGTERM during start-up is an interrupt too
    args = argparse.Namespace(debug=False)

    def interrupted() -> int:
        nonlocal previous
        if exiting and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            previous = None
        err.write("cablesim: interrupted; output folders keep their previous complete "
                  "contents (or none)\n")
        return EXIT_INTERRUPTED

    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # argparse already printed usage or help
            return int(exc.code or 0)
        if not getattr(args, "handler", None):
            parser.print_help(out)
            return EXIT_USAGE
        return int(args.handler(args, out, err))
    except CablesimError as exc:
        err.write(f"cablesim: error: {_with_flags(exc, getattr(args, 'flags', {}))}\n")
        return EXIT_INVALID
    except BrokenPipeError:  # output piped into e.g. `head`, which closed early
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # silence the flush at interpreter exit
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        return interrupted()
    except Exception as exc:  # noqa: BLE001 - the CLI never shows a bare traceback
        if _interrupted(exc):  # an interrupt inside e.g. an extension's import
            return interrupted()
        if isinstance(exc, OSError) and exc.errno in _USER_OS_ERRORS and (
                exc.filename is not None or exc.errno in _MACHINE_OS_ERRORS):
            # the machine, not cablesim: a full disk, a read-only or vanished location
            where = f" {exc.filename!s}" if exc.filename is not None else ""
            err.write(f"cablesim: error: cannot write{where}: {exc.strerror or exc}; "
                      "nothing was replaced (free space, or choose another --out)\n")
            return EXIT_INVALID
        if args.debug:
            traceback.print_exc(file=err)
        err.write(f"cablesim: internal error: {type(exc).__name__}: {exc}\n"
                  "This is a bug in cablesim; rerun with --debug and report the traceback.\n")
        return EXIT_INTERNAL
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _with_flags(exc: CablesimError, flags: dict[str, str]) -> CablesimError:
    """The error with the library's argument names replaced by this command's flags."""
    if not flags or not any(p.file in flags for p in exc.problems):
        return exc
    problems = [dataclasses.replace(p, file=flags[p.file]) if p.file in flags else p
                for p in exc.problems]
    return type(exc)(exc.summary, problems)


_PENDING: list[bool] = [False]
"""An interrupt that Python swallowed (raised inside a finaliser or a weakref callback,
where it is only reported as "Exception ignored"), to be raised at the next safe point."""


def _swallowed_interrupts(hook: Any) -> Any:
    """A ``sys.unraisablehook`` that keeps a swallowed KeyboardInterrupt for later instead of
    printing its traceback, and passes everything else to ``hook``."""

    def unraisable(info: Any) -> None:
        if isinstance(info.exc_value, KeyboardInterrupt):
            _PENDING[0] = True
            return
        hook(info)

    return unraisable


def _raise_pending_interrupt() -> None:
    """Raise the interrupt a finaliser swallowed, now that it is safe (between stages)."""
    if _PENDING[0]:
        _PENDING[0] = False
        raise KeyboardInterrupt


_SIGNALLED: list[bool] = [False]
"""Whether a SIGTERM or SIGINT reached the command line's handlers in this process."""


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is an interrupt in disguise: a KeyboardInterrupt in its chain, or an
    ImportError ("initialization failed") after a SIGTERM arrived, which is what Python
    makes of an interrupt raised while an extension module initialises."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, KeyboardInterrupt):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return _SIGNALLED[0] and isinstance(exc, ImportError)


def _interrupt(signum: int, frame: object) -> None:
    """Signal handler: note the signal and raise KeyboardInterrupt (clean-up runs)."""
    _SIGNALLED[0] = True
    raise KeyboardInterrupt


def _raise_on_sigterm() -> Any:
    """Treat SIGTERM like Ctrl-C (KeyboardInterrupt) so that clean-up runs; main thread only."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _interrupt)


def run() -> None:  # pragma: no cover - console-script entry point
    """Entry point of the ``cablesim`` console script."""
    _raise_on_sigterm()
    signal.signal(signal.SIGINT, _interrupt)
    sys.unraisablehook = _swallowed_interrupts(sys.unraisablehook)
    try:
        code = main(exiting=True)
    except KeyboardInterrupt:  # before main's own handling took over
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.stderr.write("cablesim: interrupted\n")
        code = EXIT_INTERRUPTED
    for _ in range(3):  # a signal caught at the C level but not yet handled: handle it now,
        try:            # not while exiting (it would end the process with a traceback)
            signal.pthread_sigmask(signal.SIG_BLOCK, set())
            break
        except KeyboardInterrupt:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            code = EXIT_INTERRUPTED
    if code == EXIT_INTERRUPTED:
        # interrupted: the clean-up is done and said; end now, without the interpreter's
        # finalisation, where a late interrupt or a finaliser could still print a traceback
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(EXIT_INTERRUPTED)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
