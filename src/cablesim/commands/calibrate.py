"""``cablesim calibrate-latency``: fit the latency model on measured round-trip times."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any, TextIO

__all__ = ["register"]

_BLOCK = re.compile(r"(?ms)^# BEGIN latency\b.*?^# END latency[^\n]*\n")


def _handler(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cablesim._atomic import atomic_write_text
    from cablesim._errors import Problem, ScenarioError
    from cablesim._folders import ResultsFolder
    from cablesim.experiment import load_experiment
    from cablesim.experiment.latency_fit import (
        calibrate,
        calibration_markdown,
        latency_toml,
        load_measurements,
    )
    from cablesim.experiment.spec import experiment_inputs, experiment_paths
    from cablesim.io.topology import load_topology

    experiment = load_experiment(args.experiment)
    path = Path(args.measurements) if args.measurements else (
        experiment.topology / "calibration" / "rtt_measurements.csv")
    study_file = experiment.study.path
    if args.update_study and study_file is None:
        raise ScenarioError("cannot update the study", [Problem(
            str(experiment.path), None, "experiment.study", "the experiment has no study file")])
    if args.update_study and study_file is not None and not _BLOCK.search(
            study_file.read_text("utf-8")):
        raise ScenarioError("cannot update the study", [Problem(
            str(study_file), None, "latency", "no '# BEGIN latency' ... '# END latency' block "
            "to replace", "add the markers around the [latency] table")])
    out_dir = Path(args.out) if args.out else Path("results") / "latency_calibration"
    inputs = experiment_inputs(experiment)
    if path.is_file():
        import hashlib

        inputs[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    writer = ResultsFolder(out_dir, kind="calibrate-latency", inputs=inputs,
                           protected=[*experiment_paths(experiment), path], force=args.force)
    with writer.open() as folder:
        network = load_topology(experiment.topology)
        measurements = load_measurements(path, network)
        err.write(f"calibrating on {len(measurements)} measured pairs ({path})\n")
        n_fit = int((measurements.get("role", "fit") == "fit").sum())
        source = (f"cablesim calibrate-latency: fitted on the {n_fit} backbone ('fit') pairs of "
                  f"{path.name}, network of {experiment.name}")
        cal = calibrate(experiment, measurements, network=network, source=source)
        stage = folder.stage()
        atomic_write_text(stage / "latency_pairs.csv", cal.pairs.to_csv(
            index=False, float_format="%.6g", lineterminator="\n"))
        text = calibration_markdown(cal, measurements=str(path))
        atomic_write_text(stage / "latency.md", text)
        folder.commit({"calibration": cal.summary()})
    out.write(text)
    out.write("\n" + latency_toml(cal.model))
    if args.update_study and study_file is not None:
        block = ("# BEGIN latency (written by cablesim calibrate-latency; do not edit by "
                 "hand)\n" + latency_toml(cal.model) + "# END latency\n")
        atomic_write_text(study_file, _BLOCK.sub(lambda _: block, study_file.read_text("utf-8")))
        err.write(f"updated [latency] in {study_file}\n")
    err.write(f"wrote {out_dir}; {json.dumps(cal.summary()['parameters'])}\n")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``calibrate-latency`` sub-command."""
    p = subparsers.add_parser(
        "calibrate-latency", help="fit the latency model on measured round-trip times",
        description="Route every measured pair of a CSV (origin,destination,rtt_ms,... with "
        "a source per row) on the experiment's network and fit the latency model's four "
        "parameters (subsea and terrestrial stretch, overhead per interconnection point and "
        "per path); report the leave-one-out error (docs/latency.md).")
    p.add_argument("experiment", help="experiment file whose network to calibrate, e.g. "
                   "experiments/latency_calibration.toml")
    p.add_argument("--measurements", help="measured RTTs (default: the topology's "
                   "calibration/rtt_measurements.csv)")
    p.add_argument("--out", help="output folder (default results/latency_calibration)")
    p.add_argument("--force", action="store_true", help="replace results of other inputs")
    p.add_argument("--update-study", action="store_true",
                   help="write the fitted [latency] table into the study file")
    p.set_defaults(handler=_handler)
