"""Writing a plan's results: CSV tables, the tornado chart and the ``plan.md`` report.

Every file is written atomically; numbers have a fixed format, so the same inputs give the
same tables.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cablesim._atomic import atomic_write_bytes, atomic_write_text
from cablesim._folders import ResultsFolder
from cablesim._version import __version__
from cablesim.experiment.spec import experiment_inputs, experiment_paths
from cablesim.planning.run import PlanResult
from cablesim.planning.spec import Plan

__all__ = ["write_plan", "plan_folder", "plan_markdown", "tornado_figure", "headline"]

_FLOAT = "%.6g"


def _csv(table: pd.DataFrame) -> str:
    return table.to_csv(index=False, float_format=_FLOAT, lineterminator="\n")


def _musd(value: float, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value / 1e6:,.{digits}f}"


def _num(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _payback(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return "not within the horizon"
    if isinstance(value, float) and math.isnan(value):
        return "no investment"
    return f"{value:.1f} years"


def _swings(result: PlanResult, baseline: str) -> pd.DataFrame:
    """One row per sensitivity parameter: NPV at low and high, sorted by swing (largest
    first)."""
    s = result.sensitivity
    s = s[s["baseline"] == baseline]
    if s.empty:
        return pd.DataFrame(columns=["parameter", "label", "low", "high", "base_value",
                                     "npv_low", "npv_high", "swing"])
    rows = []
    for parameter, group in s.groupby("parameter", sort=False):
        low = group[group["case"] == "low"].iloc[0]
        high = group[group["case"] == "high"].iloc[0]
        rows.append({"parameter": parameter, "label": low["label"], "low": low["value"],
                     "high": high["value"], "base_value": low["base_value"],
                     "npv_low": low["npv_usd"], "npv_high": high["npv_usd"],
                     "payback_low": low["payback_years"],
                     "payback_high": high["payback_years"],

                     "swing": abs(high["npv_usd"] - low["npv_usd"])})
    return pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable")


def _fmt_value(parameter: str, value: float) -> str:
    if parameter.endswith("_scale"):
        return f"x{value:g}"
    if parameter in ("discount_rate", "om_share", "cagr") or parameter.endswith("_trend"):
        return f"{100 * value:+g}%" if parameter.endswith("_trend") else f"{100 * value:g}%"
    if parameter.startswith("transit_price:"):
        return f"US${value:g}"
    return f"{value:g}"


def _builds_by_case(result: PlanResult) -> list[str]:
    """Which optional links the scenarios build in each sensitivity case (committed
    scenarios left out)."""
    plan = result.plan
    optional = [n for n in plan.scenarios
                if any(not e.is_market and not e.forced(n)
                       and (e.scenarios is None or n in e.scenarios) for e in plan.extends)]
    if not optional or "builds" not in result.sensitivity:
        return []
    cases = result.sensitivity.drop_duplicates(["parameter", "case"])
    lines = ["Links built by " + ", ".join(f"`{n}`" for n in optional)
             + " in each sensitivity case:", "", "| input | value | links built |",
             "|---|---:|---|"]
    base = result.builds
    base_text = "; ".join(f"{n}: {' '.join(sorted(set(base.loc[base.scenario == n, 'link'])))}"
                          for n in optional if (base.scenario == n).any()) or "none"
    lines.append(f"| (base case) | | {base_text} |")
    for r in cases.itertuples(index=False):
        parts = [part for part in str(r.builds).split("; ")
                 if part.split(":", 1)[0] in optional]
        lines.append(f"| {r.label} | {_fmt_value(r.parameter, r.value)} "
                     f"| {'; '.join(parts) or 'none'} |")
    return lines + [""]


def tornado_figure(result: PlanResult) -> Any:
    """The tornado chart: NPV of the hub against each baseline, one input at a time at its
    low and high value (a matplotlib Figure on an Agg canvas)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    case = result.plan.business_case
    baselines = list(case.baselines) if case else []
    bases = result.business_case.set_index("baseline") if len(result.business_case) else None
    n = max(len(baselines), 1)
    fig = Figure(figsize=(7.5, 1.2 + 0.45 * max(len(result.plan.sensitivity), 1) * n + 0.6 * n),
                 dpi=120)
    FigureCanvasAgg(fig)
    axes = fig.subplots(n, 1, squeeze=False)[:, 0]
    slots: list[str | None] = [*baselines] if baselines else [None]
    for ax, baseline in zip(axes, slots, strict=True):
        if baseline is None or bases is None or case is None:
            ax.text(0.5, 0.5, "no business case", ha="center", va="center")
            ax.set_axis_off()
            continue
        base = float(bases.loc[baseline, "npv_usd"]) / 1e6
        sw = _swings(result, baseline)
        labels = [(f"{r.label}\n{_fmt_value(r.parameter, r.low)} / "
                   f"{_fmt_value(r.parameter, r.high)}").replace("$", r"\$")
                  for r in sw.itertuples()]
        y = np.arange(len(sw))[::-1]
        labelled: set[str] = set()
        span = max([abs(v / 1e6 - base) for v in (*sw["npv_low"], *sw["npv_high"])]
                   + [1.0])
        for yi, r in zip(y, sw.itertuples(), strict=True):
            if max(abs(r.npv_low / 1e6 - base), abs(r.npv_high / 1e6 - base)) < 1e-3 * span:
                ax.text(base, yi, "  no change", va="center", fontsize=7, ha="left")
                continue
            for value, colour, tag in ((r.npv_low / 1e6, "#4c72b0", "low"),
                                       (r.npv_high / 1e6, "#dd8452", "high")):
                ax.barh(yi, value - base, left=base, height=0.6, color=colour,
                        label=None if tag in labelled else tag)
                labelled.add(tag)
                ax.text(value, yi, f" {value:,.0f} ", va="center", fontsize=7,
                        ha="left" if value >= base else "right")
        ax.axvline(base, color="black", linewidth=1)
        ax.axvline(0, color="grey", linewidth=0.8, linestyle="--")
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=7)
        ax.set_xlabel("NPV of the hub, US$ million (positive: the hub costs less)", fontsize=8)
        ax.set_title(f"{case.hub} vs {baseline}: base NPV US\\${base:,.0f} M", fontsize=9)
        lo, hi = ax.get_xlim()
        pad = 0.15 * (hi - lo)
        ax.set_xlim(lo - pad, hi + pad)
        ax.tick_params(axis="x", labelsize=7)
        ax.legend(loc="lower right", fontsize=7, title="input at", title_fontsize=7)
    fig.tight_layout()
    return fig


def headline(result: PlanResult) -> list[str]:
    """Sentences stating the business case and its robustness."""
    case = result.plan.business_case
    if case is None or result.business_case.empty:
        return []
    lines = []
    plan = result.plan
    start, end = plan.settings.horizon
    rate = plan.settings.discount_rate
    for name in plan.scenarios:
        costly = any(not e.is_market and (e.scenarios is None or name in e.scenarios)
                     for e in plan.extends)
        builds = result.builds[result.builds["scenario"] == name]
        if builds.empty and not costly:
            continue
        built = sorted(set(builds["link"]))
        committed = any(e.forced(name) for e in plan.extends
                        if e.scenarios is None or name in e.scenarios)
        lines.append(
            f"`{name}`{' (committed links)' if committed else ''}: the plan builds "
            + (f"{len(built)} link(s) ({', '.join(built)}) for US$"
               f"{builds['capex_usd'].sum() / 1e6:,.1f} M of capex over "
               f"{start}-{plan.settings.years[-1]}." if built else
               "nothing: no extendable link saves more than it costs."))
    for row in result.business_case.itertuples(index=False):
        verdict = "pays" if row.npv_usd > 0 else "does not pay"
        lines.append(
            f"Against `{row.baseline}` the hub {verdict}: NPV US${row.npv_usd / 1e6:,.1f} M "
            f"over {start}-{end} at {100 * rate:g}% (present value of the hub's capex "
            f"US${row.pv_capex_hub_usd / 1e6:,.1f} M, of its operating savings "
            f"US${row.pv_operating_savings_usd / 1e6:,.1f} M); payback "
            f"{_payback(row.payback_years)}.")
        sw = _swings(result, row.baseline)
        if len(sw):
            signs = np.sign(np.concatenate([sw["npv_low"], sw["npv_high"]]))
            same = int((signs == np.sign(row.npv_usd)).sum())
            top = sw.iloc[0]
            flips = [r.label for r in sw.itertuples()
                     if np.sign(r.npv_low) != np.sign(row.npv_usd)
                     or np.sign(r.npv_high) != np.sign(row.npv_usd)]
            lines.append(
                f"Robustness against `{row.baseline}`: the sign holds in {same} of "
                f"{len(signs)} sensitivity cases; the largest swing comes from "
                f"{top['label']} (NPV US${top['npv_low'] / 1e6:,.0f} M to "
                f"US${top['npv_high'] / 1e6:,.0f} M)"
                + (f"; the verdict changes with: {', '.join(flips)}." if flips else "."))
    return lines


def plan_markdown(result: PlanResult, chart: str | None = "tornado.png") -> str:
    """The plan report: headline, build plan, costs, business case, tornado, diagnostics,
    method and notes."""
    plan = result.plan
    s = plan.settings
    start, end = s.horizon
    lines = [f"# {plan.name}", "", plan.description, ""]
    head = headline(result)
    if head:
        lines += ["## Result", ""] + [f"- {h}" for h in head] + [""]
    # ---- build plan
    lines += ["## Build plan", "",
              "Capacity added per scenario, year and link (per direction), and its upfront "
              "capex (fixed: the first build of a link; variable: per Gbps).", ""]
    b = result.builds
    if b.empty:
        lines += ["No scenario adds capacity.", ""]
    else:
        lines += ["| scenario | year | link | system | added Gbps | capacity after Gbps "
                  "| fixed capex US$ M | variable capex US$ M | capex US$ M |",
                  "|---|---:|---|---|---:|---:|---:|---:|---:|"]
        for r in b.itertuples(index=False):
            lines.append(f"| {r.scenario} | {r.year} | {r.link} | {r.system} "
                         f"| {_num(r.added_gbps)} | {_num(r.capacity_after_gbps)} "
                         f"| {_musd(r.fixed_capex_usd)} | {_musd(r.variable_capex_usd)} "
                         f"| {_musd(r.capex_usd)} |")
        lines.append("")
    cap = result.capacity
    if len(cap):
        last = cap[cap["year"] == cap["year"].max()]
        lines += [f"Use of the added capacity in {int(cap['year'].max())}: "
                  + "; ".join(f"{r.link} {100 * r.utilization:.0f}% of "
                              f"{_num(r.added_capacity_gbps)} Gbps"
                              for r in last.itertuples(index=False)) + ".", ""]
    # ---- costs
    lines += ["## Cost per scenario and year", "",
              "Annual costs in US$ million a year at that year's prices (lease and transit "
              f"prices change {100 * s.lease_price_trend:+g}% and "
              f"{100 * s.transit_price_trend:+g}% a year from {s.lease_price_year} and "
              f"{s.transit_price_year}); capex annualised over its life at "
              f"{100 * s.discount_rate:g}%.", "",
              "| scenario | year | offered Gbps | unserved Gbps | lease | transit "
              "| capex (annualised) | O&M | total | US$ per Mbps-month | upfront capex "
              "| LP gap |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in result.costs.itertuples(index=False):
        lines.append(f"| {r.scenario} | {r.year} | {_num(r.offered_gbps)} "
                     f"| {_num(r.unserved_gbps, 1)} | {_musd(r.lease_usd_year)} "
                     f"| {_musd(r.transit_usd_year)} | {_musd(r.annualised_capex_usd_year)} "
                     f"| {_musd(r.om_usd_year)} | {_musd(r.total_usd_year)} "
                     f"| {_num(r.usd_per_mbps_month, 3)} | {_musd(r.capex_usd)} "
                     f"| {100 * r.gap:.2f}% |")
    lines += ["", "LP gap: distance of the plan's objective from the LP relaxation bound "
              "over all paths (non-zero when whole-link builds or modules are integer).", ""]
    # ---- business case
    case = plan.business_case
    if case is not None and len(result.business_case):
        lines += ["## Business case", "",
                  f"`{case.hub}` against each baseline, {start}-{end}, discounted at "
                  f"{100 * s.discount_rate:g}% to {start} (US$ million; NPV = PV of the "
                  "baseline's costs - PV of the hub's, capex included).", "",
                  "| baseline | PV cost baseline | PV cost hub | NPV | PV hub capex "
                  "| PV operating savings | PV residual value | payback |",
                  "|---|---:|---:|---:|---:|---:|---:|---|"]
        for r in result.business_case.itertuples(index=False):
            lines.append(f"| {r.baseline} | {_musd(r.pv_cost_baseline_usd)} "
                         f"| {_musd(r.pv_cost_hub_usd)} | **{_musd(r.npv_usd)}** "
                         f"| {_musd(r.pv_capex_hub_usd)} | {_musd(r.pv_operating_savings_usd)} "
                         f"| {_musd(r.pv_residual_hub_usd - r.pv_residual_baseline_usd)} "
                         f"| {_payback(r.payback_years)} |")
        lines.append("")
        if len(result.sensitivity):
            lines += ["## Sensitivity", ""]
            if chart:
                lines += [f"![tornado chart]({chart})", ""]
            for baseline in case.baselines:
                sw = _swings(result, baseline)
                if sw.empty:
                    continue
                base = float(result.business_case.set_index("baseline").loc[
                    baseline, "npv_usd"])
                lines += [f"NPV of `{case.hub}` against `{baseline}` (base US$"
                          f"{base / 1e6:,.1f} M) with one input at a time at its low and "
                          "high value:", "",
                          "| input | base | low | high | NPV at low | NPV at high "
                          "| payback at low | payback at high |",
                          "|---|---:|---:|---:|---:|---:|---|---|"]
                for r in sw.itertuples(index=False):
                    lines.append(f"| {r.label} | {_fmt_value(r.parameter, r.base_value)} "
                                 f"| {_fmt_value(r.parameter, r.low)} "
                                 f"| {_fmt_value(r.parameter, r.high)} "
                                 f"| {_musd(r.npv_low)} | {_musd(r.npv_high)} "
                                 f"| {_payback(r.payback_low)} | {_payback(r.payback_high)} |")
                lines.append("")
            lines += _builds_by_case(result)
    # ---- diagnostics
    unmet = result.unmet
    lines += ["## Unmet demand and binding constraints", ""]
    if unmet.empty:
        lines += ["Every scenario serves all demand in every year.", ""]
    else:
        totals = unmet.groupby(["scenario", "year"])["unserved_gbps"].sum()
        lines += ["Unserved demand (the full list with the binding constraints of each "
                  "demand is in `unmet.csv`):", ""]
        lines += [f"- {sc} {yr}: {_num(v, 1)} Gbps" for (sc, yr), v in totals.items()]
        worst = unmet.sort_values("unserved_gbps", ascending=False).head(10)
        lines += ["", "| scenario | year | origin | via | destination | unserved Gbps "
                  "| binding |", "|---|---:|---|---|---|---:|---|"]
        for r in worst.itertuples(index=False):
            lines.append(f"| {r.scenario} | {r.year} | {r.origin} | {r.via or ''} "
                         f"| {r.destination} | {_num(r.unserved_gbps, 1)} | {r.binding} |")
        lines.append("")
    bind = result.binding
    if len(bind):
        top = bind.sort_values("shadow_price_usd_per_mbps_month", ascending=False).head(10)
        lines += ["Constraints with the highest shadow prices (what one more Gbps there would "
                  "save, US$ per Mbps-month; all in `binding.csv`):", "",
                  "| scenario | year | link | direction | limit | load Gbps | capacity Gbps "
                  "| shadow price |", "|---|---:|---|---|---|---:|---:|---:|"]
        for r in top.itertuples(index=False):
            lines.append(f"| {r.scenario} | {r.year} | {r.link} | {r.from_node} > "
                         f"{r.to_node} | {r.limit} | {_num(r.load_gbps)} "
                         f"| {_num(r.capacity_gbps)} "
                         f"| {r.shadow_price_usd_per_mbps_month:.4f} |")
        lines.append("")
    # ---- method
    lines += ["## Method and assumptions", "",
              "- One LP (HiGHS) per scenario and planning year chooses capacity additions "
              "and routes that year's demand under the scenario's exchange policy, link "
              "edits and transit rules, at least annual cost: lease (every Mbps on leased "
              "capacity pays the link's price), transit at the exchange hub, and capex "
              "annualised with the capital recovery factor plus O&M on added capacity.",
              "- Routing is a path-based multi-commodity flow solved exactly by column "
              "generation (paths priced with the capacity duals until none improves). "
              "Whether to build a link at all (its fixed capex) is binary"
              + (" and modules are whole" if s.integer_modules else
                 "; modules are an LP relaxation")
              + ": a MILP over the generated paths (those of the LP relaxation and of "
              "building nothing new), improved by single-link flips, then the chosen "
              "design's routing is re-optimised over all paths. The LP gap column is the "
              "distance to the LP relaxation bound.",
              "- Capacity the planner builds carries traffic without lease; capacity "
              "bought from the market (`ownership = \"lease\"`) pays the link's lease "
              "price. Proposed links that may be built have no capacity until built.",
              f"- Years {', '.join(map(str, s.years))} are planned in sequence (myopic): "
              "capacity built in a year stays and its fixed capex is not paid again.",
              f"- Cash flows {start}-{end}: each planning year's lease and transit costs "
              "stand until the next planning year; capex is paid upfront in the build year, "
              "O&M every year after; capacity whose life outlasts the horizon is credited "
              "its remaining value (the share of its capex annuity still to run) in "
              f"{end}. Present values at {100 * s.discount_rate:g}% a year to {start}.",
              "- Payback: years from the hub's first capex until the cumulative discounted "
              "saving against the baseline (residual value not counted) turns positive "
              "for good.",
              f"- Unserved demand costs US${s.unmet_penalty_usd_per_mbps_month:g} per "
              "Mbps-month in the LP (so it is diagnosable, never silently dropped) and "
              "nothing in the cash flows.", ""]
    if plan.extends:
        lines += ["Extendable links:", ""]
        for ext in plan.extends:
            where = ("all scenarios" if ext.scenarios is None
                     else ", ".join(ext.scenarios))
            costs = []
            if ext.capex_usd_per_gbps:
                costs.append(f"US${ext.capex_usd_per_gbps:g}/Gbps")
            if ext.capex_usd_per_gbps_km:
                costs.append(f"US${ext.capex_usd_per_gbps_km:g}/Gbps-km")
            if ext.capex_usd_per_km:
                costs.append(f"fixed US${ext.capex_usd_per_km:g}/km")
            if ext.fixed_capex_usd:
                costs.append(f"fixed US${ext.fixed_capex_usd:,.0f}")
            if ext.fixed_capex_from_links:
                costs.append("fixed: the link's capex_usd")
            limit = ("no limit" if ext.max_add_gbps is None else
                     "up to its capacity_gbps" if ext.max_add_gbps == "capacity"
                     else f"up to {ext.max_add_gbps:g} Gbps")
            module = f", {ext.module_gbps:g} Gbps modules" if ext.module_gbps else ""
            lines.append(f"- `{', '.join(ext.selectors)}` ({where}; {ext.ownership}): "
                         f"{'; '.join(costs) or 'no capex'}; {limit}{module}"
                         + (f". Source: {ext.citation}" if ext.citation else ""))
        lines.append("")
    if result.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in result.notes] + [""]
    lines += ["## Inputs and run", "",
              f"- plan file: `{plan.path.name}`, experiment `{plan.experiment.path.name}`, "
              f"topology `{plan.experiment.topology.name}` (sha256 {plan.input_hash[:16]}...)",
              f"- cablesim {__version__}; run time {sum(result.timings.values()):.1f} s "
              f"(planning {sum(v for k, v in result.timings.items() if k[-4:].isdigit()):.1f}"
              f" s, sensitivity {result.timings.get('sensitivity', 0.0):.1f} s)", ""]
    return "\n".join(lines)


def plan_folder(plan: Plan, out_dir: str | Path, *, sensitivity: bool = True,
                force: bool = False) -> ResultsFolder:
    """The writer of a plan's results folder: its inputs are the plan file and the
    experiment's files, which it never replaces."""
    inputs = experiment_inputs(plan.experiment)
    rel = os.path.relpath(plan.path.resolve(), plan.experiment.path.resolve().parent)
    inputs[rel] = hashlib.sha256(plan.path.read_bytes()).hexdigest()
    return ResultsFolder(out_dir, kind="plan", inputs=inputs,
                         parameters={"sensitivity": sensitivity},
                         protected=[plan.path, *experiment_paths(plan.experiment)],
                         force=force)


def write_plan(result: PlanResult, out: str | Path | ResultsFolder) -> list[Path]:
    """Write the plan's tables, ``tornado.png`` (with a sensitivity analysis), ``plan.md``
    and ``manifest.json`` into a results folder, atomically (staged beside it and swapped
    in; see :class:`cablesim._folders.ResultsFolder`); return the files written."""
    if not isinstance(out, ResultsFolder):
        writer = plan_folder(result.plan, out, sensitivity=bool(len(result.sensitivity)))
        with writer.open() as opened:
            return write_plan(result, opened)
    folder = out.stage()
    tables = {
        "builds.csv": result.builds, "costs.csv": result.costs,
        "capacity.csv": result.capacity, "unmet.csv": result.unmet,
        "binding.csv": result.binding, "cashflows.csv": result.cashflows,
        "business_case.csv": result.business_case, "sensitivity.csv": result.sensitivity,
    }
    for name, table in tables.items():
        atomic_write_text(folder / name, _csv(table))
    chart = None
    if len(result.sensitivity):
        buffer = io.BytesIO()
        tornado_figure(result).savefig(buffer, format="png", metadata={"Software": "cablesim"})
        atomic_write_bytes(folder / "tornado.png", buffer.getvalue())
        chart = "tornado.png"
    atomic_write_text(folder / "plan.md", plan_markdown(result, chart))
    return out.commit({
        "plan": result.plan.name,
        "plan_file": str(result.plan.path),
        "experiment_file": str(result.plan.experiment.path),
        "inputs_sha256": result.plan.input_hash,
        "timings_s": {k: round(v, 3) for k, v in result.timings.items()},
    })
