"""``cablesim plan``: least-cost capacity build-out and the hub's business case."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any, TextIO

__all__ = ["register"]


def _cmd_plan(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from cablesim.planning import load_plan, run_plan, write_plan
    from cablesim.planning.report import plan_folder

    plan = load_plan(args.plan)
    out_dir = Path(args.out) if args.out else Path("results") / plan.name
    writer = plan_folder(plan, out_dir, sensitivity=not args.no_sensitivity and
                         bool(plan.sensitivity), force=args.force)
    with writer.open() as folder:  # checked and locked before any computing
        return _plan(args, plan, run_plan, write_plan, folder, out, err)


def _plan(args: argparse.Namespace, plan: Any, run_plan: Any, write_plan: Any, folder: Any,
          out: TextIO, err: TextIO) -> int:
    out_dir = folder.folder
    total = time.perf_counter()

    def progress(stage: str, seconds: float) -> None:
        err.write(f"  {stage:<45} {seconds:8.3f} s\n")

    err.write(f"planning {plan.name}: {len(plan.scenarios)} scenarios x "
              f"{len(plan.settings.years)} years"
              + (f", {len(plan.sensitivity)} sensitivity inputs" if plan.sensitivity
                 and not args.no_sensitivity else "") + "\n")
    result = run_plan(plan, progress, sensitivity=not args.no_sensitivity)
    t = time.perf_counter()
    files = write_plan(result, folder)
    progress("write results", time.perf_counter() - t)
    err.write(f"  {'total':<45} {time.perf_counter() - total:8.3f} s\n")
    out.write((out_dir / "plan.md").read_text())
    err.write(f"wrote {len(files)} files to {out_dir}\n")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``plan`` sub-command."""
    parser = subparsers.add_parser(
        "plan", help="least-cost capacity build-out and business case of a plan file",
        description="Plan capacity for demand growth: for every scenario and planning year "
        "of a plan file, choose which links to extend and route the demand at least "
        "annualised capex + O&M + lease + transit cost (one LP, HiGHS); then value the hub "
        "scenario against its baselines (NPV, payback) and its sensitivity (tornado chart). "
        "Writes builds.csv, costs.csv, capacity.csv, unmet.csv, binding.csv, cashflows.csv, "
        "business_case.csv, sensitivity.csv, tornado.png, plan.md and manifest.json.")
    parser.add_argument("plan", help="plan file, e.g. experiments/guangxi_business_case.toml")
    parser.add_argument("--out", help="output folder (default results/<plan name>)")
    parser.add_argument("--force", action="store_true",
                        help="replace results of other inputs in the output folder")
    parser.add_argument("--no-sensitivity", action="store_true",
                        help="skip the [[sensitivity]] runs (and the tornado chart)")
    parser.set_defaults(handler=_cmd_plan)
