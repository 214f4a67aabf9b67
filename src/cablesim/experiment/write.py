"""Writing experiment results: tidy CSV tables, a Markdown summary and a manifest.

Every file is written atomically; numbers are formatted with a fixed format so that the
same inputs give byte-identical files.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from cablesim._atomic import atomic_write_text
from cablesim._folders import ResultsFolder
from cablesim._version import __version__
from cablesim.experiment.run import ExperimentResult
from cablesim.experiment.spec import Experiment, experiment_inputs, experiment_paths
from cablesim.study import Study

__all__ = ["write_results", "results_folder", "summary_markdown", "scenario_columns"]


def scenario_columns(study: Study) -> list[str]:
    """Columns of ``scenarios.csv``, in order; the intra-group RTT column is named by the
    study's focus group (``intra_asean_mean_rtt_ms`` for China-ASEAN)."""
    return [
        "scenario", "counterfactual", "counterfactual_why", "policy", "mode", "objective",
        "year", "offered_gbps", "served_gbps",
        "unserved_gbps", "lease_cost_usd_month", "transit_cost_usd_month", "capex_usd_month",
        "total_cost_usd_month", "cost_usd_per_mbps", "mean_rtt_ms", "p95_rtt_ms",
        "mean_stretch", study.intra_rtt_column, "out_of_region_share", "max_utilization",
        "links_in_service", "lp_solves", "lp_gap_bound",
        "gbps_km_on_estimated_capacity_share", "lease_on_cited_price_share",
        "lease_on_estimated_price_share", "transit_on_cited_price_share",
        "transit_on_estimated_price_share", "offered_on_cited_bandwidth_share",
        "offered_on_estimated_bandwidth_share", "estimated_hub_gbps",
        "estimated_hub_transit_usd_month", "background_offered_gbps", "background_served_gbps",
        "background_lease_cost_usd_month",
        "background_unserved_gbps", "background_mean_rtt_ms",
    ]

_FLOAT = "%.6g"


def _csv(table: pd.DataFrame) -> str:
    return table.to_csv(index=False, float_format=_FLOAT, lineterminator="\n")


def _pct(value: Any) -> str:
    """A share as a percentage with one decimal; ``n/a`` for NaN (nothing to share)."""
    v = float(value)
    return "n/a" if math.isnan(v) else f"{100 * v:.1f}%"


def _fmt(value: Any, digits: int = 1) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a"
        return f"{value:,.{digits}f}"
    return str(value)


def summary_markdown(result: ExperimentResult) -> str:
    """The experiment summary: comparison table, calibration verdict, notes, timings."""
    exp = result.experiment
    s = result.scenarios
    group = exp.study.focus_label
    intra = exp.study.intra_rtt_column
    lines = [f"# {exp.name}", "", exp.description, "",
             "## Scenarios side by side", "",
             "| scenario | offered Gbps | served Gbps | unserved Gbps | cost USD/month "
             f"| USD per Mbps | mean RTT ms | p95 RTT ms | intra-{group} RTT ms | mean stretch "
             f"| intra-{group} leaving region | max utilisation |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in s.itertuples(index=False):
        lines.append(
            f"| {row.scenario} | {_fmt(row.offered_gbps)} | {_fmt(row.served_gbps)} "
            f"| {_fmt(row.unserved_gbps)} | {_fmt(row.total_cost_usd_month, 0)} "
            f"| {_fmt(row.cost_usd_per_mbps, 2)} | {_fmt(row.mean_rtt_ms)} "
            f"| {_fmt(row.p95_rtt_ms)} | {_fmt(getattr(row, intra))} "
            f"| {_fmt(row.mean_stretch, 2)} | {_fmt(100 * row.out_of_region_share)}% "
            f"| {_fmt(100 * row.max_utilization)}% |")
    lines += ["", "Every scenario accounts for all demand: served + unserved = offered.", ""]
    if "counterfactual" in s.columns and s["counterfactual"].any():
        lines += ["Counterfactual scenarios (they could not have existed in their year; "
                  "column `counterfactual` in every table):", ""]
        lines += [f"- **{r.scenario}** ({r.year}): {r.counterfactual_why}"
                  for r in s.itertuples(index=False) if r.counterfactual]
        lines.append("")
    if "estimated_hub_gbps" in s.columns and (s["estimated_hub_gbps"] > 0).any():
        lines += ["Sensitivity to exchange hubs whose transit price is an estimate (the "
                  "study's market proxies, e.g. Nanning at Hong Kong's price): cost per Mbps "
                  "with that price at 0x, 1x and 2x, the routes held fixed:", "",
                  "| scenario | exchanged there Gbps | USD per Mbps at 0x | at 1x | at 2x |",
                  "|---|---:|---:|---:|---:|"]
        for r in s.itertuples(index=False):
            if r.estimated_hub_gbps <= 0 or not r.served_gbps:
                continue
            at = [(r.total_cost_usd_month + (k - 1) * r.estimated_hub_transit_usd_month)
                  / (1000.0 * r.served_gbps) for k in (0, 1, 2)]
            lines.append(f"| {r.scenario} | {_fmt(r.estimated_hub_gbps)} | {at[0]:.2f} "
                         f"| {at[1]:.2f} | {at[2]:.2f} |")
        lines.append("")
    if "background_offered_gbps" in s.columns and (s["background_offered_gbps"] > 0).any():
        lines += ["Background traffic between countries outside the study shares the links "
                  "and their capacity but is not counted above:", "",
                  "| scenario | background offered Gbps | served Gbps | unserved Gbps "
                  "| lease cost USD/month | mean RTT ms |", "|---|---:|---:|---:|---:|---:|"]
        for row in s.itertuples(index=False):
            lines.append(f"| {row.scenario} | {_fmt(row.background_offered_gbps)} "
                         f"| {_fmt(row.background_served_gbps)} "
                         f"| {_fmt(row.background_unserved_gbps)} "
                         f"| {_fmt(row.background_lease_cost_usd_month, 0)} "
                         f"| {_fmt(row.background_mean_rtt_ms)} |")
        lines.append("")
    lines += ["## Most loaded links", "", "The busiest segment of the three busiest systems.", "",
              "| scenario | link | system | load Gbps | capacity Gbps | utilisation |",
              "|---|---|---|---:|---:|---:|"]
    links = result.links
    if len(links):
        loaded = links.assign(load=links[["load_forward_gbps", "load_reverse_gbps"]].max(axis=1))
        loaded = loaded[loaded["load"] > 0].sort_values(
            ["scenario", "utilization", "link"], ascending=[True, False, True], kind="stable")
        order = {name: i for i, name in enumerate(s["scenario"])}
        loaded = loaded.drop_duplicates(["scenario", "system"])  # one row per system
        top = loaded.groupby("scenario", sort=False).head(3)
        top = top.sort_values("scenario", key=lambda c: c.map(order), kind="stable")
        for row in top.itertuples(index=False):
            lines.append(f"| {row.scenario} | {row.link} | {row.system} | {_fmt(row.load)} "
                         f"| {_fmt(row.capacity_gbps, 0)} | {_fmt(100 * row.utilization)}% |")
    lines += ["", "Uncapacitated scenarios may load links beyond their capacity: that is the "
              "demand the policy would put there; capacitated scenarios keep within it.", ""]
    lines += ["## What rests on estimates", "",
              "Per scenario, from the confidence class of each link's inputs (links.csv "
              "`capacity_confidence`, `price_confidence`: cited, derived or estimate; a link "
              "without one counts as an estimate).", "",
              "| scenario | Gbps-km on estimated capacity | lease cost on cited prices "
              "| lease cost on estimated prices | transit cost on cited prices "
              "| transit cost on estimated prices | demand on cited bandwidth "
              "| demand on estimated bandwidth |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in s.itertuples(index=False):
        cited_bw = getattr(row, "offered_on_cited_bandwidth_share", math.nan)
        estimated_bw = getattr(row, "offered_on_estimated_bandwidth_share", math.nan)
        shares = (row.gbps_km_on_estimated_capacity_share, row.lease_on_cited_price_share,
                  row.lease_on_estimated_price_share, row.transit_on_cited_price_share,
                  row.transit_on_estimated_price_share, cited_bw, estimated_bw)
        lines.append(f"| {row.scenario} | " + " | ".join(_pct(v) for v in shares) + " |")
    lines += ["", "The rest of the lease cost rests on derived prices (a cited quote scaled by "
              "a stated rule); transit prices are per hub and named in the assumptions.", ""]
    lines += ["## Scenario descriptions", ""]
    for spec in exp.scenarios:
        lines.append(f"- **{spec.name}** ({spec.routing.mode}, {spec.routing.objective}): "
                     f"{spec.description}")
    cal = result.calibration
    lines += ["", "## Calibration against the study's price claims", "",
              "Delivered transit price (the lower of the local market price and the cheapest "
              "hub price + leased transport to it), "
              f"scenario `{cal.get('scenario')}`: **{cal.get('verdict')}**.", ""]
    for check in cal.get("checks", []):
        value = check["value"]
        shown = f"{value:.2f}x" if isinstance(value, float) else value
        verdict = "holds" if check["holds"] else "does not hold"
        lines.append(f"- {check['claim']}: {shown} -> {verdict}")
    if cal.get("why"):
        lines += ["", f"Why: {cal['why']}."]
    claims = result.claims
    if len(claims):
        lines += ["", "## Claims checked from outputs", "",
                  "Each of the study's claims computed from this run's prices and routed "
                  "traffic (`claims.csv` has what each rests on):", "",
                  "| claim | scenario | measure | value | threshold | holds |",
                  "|---|---|---|---|---|---|"]
        for r in claims.itertuples(index=False):
            shown = ((f"{r.value:.2f}" if math.isfinite(r.value) else "n/a")
                     if isinstance(r.value, float) else str(r.value))
            holds = "" if not isinstance(r.holds, bool) else ("yes" if r.holds else "no")
            lines.append(f"| {r.claim} | {r.scenario} | {r.measure} | {shown} "
                         f"| {r.threshold} | {holds} |")
    lines += ["", "## Assumptions", "",
              "- Lease cost: every Mbps carried over a link in either direction pays the link's "
              "price_usd_per_mbps_month (cited or estimated per link in the topology).",
              "- Transit cost: traffic exchanged at a hub pays the hub's transit price; direct "
              "traffic pays none (settlement-free best case).",
              "- Proposed links in service are charged their capex annualised over the "
              "scenario's lifetime at its discount rate.",
              "- RTT is twice the one-way path latency (fibre group index 1.4682 plus 0.1 ms "
              "equipment allowance per link); the floor is twice the great-circle distance in "
              "fibre.", ""]
    if result.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in result.notes] + [""]
    lines += ["## Inputs", "",
              f"- experiment file: `{exp.path.name}` (sha256 {exp.input_hash[:16]}...; "
              "all input hashes in manifest.json)",
              f"- topology: `{exp.topology.name}`",
              f"- cablesim {__version__}", ""]
    return "\n".join(lines)


def results_folder(experiment: Experiment, out_dir: str | Path, *, force: bool = False
                   ) -> ResultsFolder:
    """The writer of an experiment's results folder (:class:`cablesim._folders.
    ResultsFolder`): its inputs are the experiment's files, which it never replaces."""
    return ResultsFolder(out_dir, kind="run", inputs=experiment_inputs(experiment),
                         protected=experiment_paths(experiment), force=force)


def write_results(result: ExperimentResult, out: str | Path | ResultsFolder, *,
                  force: bool = False, extra: Callable[[Path], list[Path]] | None = None
                  ) -> list[Path]:
    """Write the result tables, ``summary.md`` and ``manifest.json`` into a results folder.

    All files are first written to a staging folder beside the results folder, which then
    replaces it: a run interrupted at any point leaves either the previous complete
    results or none, never a mix. ``manifest.json`` records the SHA-256 of every input
    file; results of other inputs already there are not replaced unless ``force``, and a
    folder holding an input of the run, or files that are not cablesim results, never is.

    Parameters
    ----------
    result : ExperimentResult
        What to write.
    out : path-like or ResultsFolder
        The results folder; a :class:`ResultsFolder` already opened (checked and locked
        before the experiment was run, as the CLI does), or a path, checked now.
    force : bool
        Replace results of other inputs (with a path).
    extra : callable, optional
        Called with the staging folder to write more files (e.g. the report); returns
        the paths it wrote.

    Returns
    -------
    list of Path
        The files written (in their final place).

    Raises
    ------
    OutputError
        When the folder cannot be written or replaced (see above).
    """
    if not isinstance(out, ResultsFolder):
        with results_folder(result.experiment, out, force=force).open() as folder:
            return write_results(result, folder, extra=extra)
    stage = out.stage()
    tables = {
        "scenarios.csv": result.scenarios[scenario_columns(result.experiment.study)],
        "pairs.csv": result.pairs,
        "claims.csv": result.claims,
        "countries.csv": result.countries,
        "links.csv": result.links,
        "transit_prices.csv": result.transit_prices,
    }
    for name, table in tables.items():
        atomic_write_text(stage / name, _csv(table))
    atomic_write_text(stage / "summary.md", summary_markdown(result))
    if extra is not None:
        extra(stage)
    return out.commit({"experiment": result.experiment.name,
                       "experiment_file": str(result.experiment.path),
                       "calibration": result.calibration})
