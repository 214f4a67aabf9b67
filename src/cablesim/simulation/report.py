"""Writing simulation results: CSV tables, PNG time series and ``simulation.md``.

Every file is written atomically (:mod:`cablesim._atomic`); numbers use a fixed format, so
the same inputs and seed give byte-identical CSV and Markdown files.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cablesim._atomic import atomic_write_bytes, atomic_write_text
from cablesim._folders import ResultsFolder
from cablesim._version import __version__
from cablesim.experiment.spec import experiment_inputs, experiment_paths
from cablesim.simulation.config import SimulationExperiment
from cablesim.simulation.replay import replay_tables
from cablesim.simulation.run import SimulationResult

__all__ = ["write_simulation", "simulation_folder", "simulation_markdown", "result_tables"]

_FLOAT = "%.6g"


def _csv(table: pd.DataFrame) -> str:
    return table.to_csv(index=False, float_format=_FLOAT, lineterminator="\n")


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return "n/a"
        return f"{value:,.{digits}f}"
    return str(value)


def _ci(row: Any, name: str, digits: int = 1) -> str:
    lo, hi = row[f"{name}_ci_low"], row[f"{name}_ci_high"]
    if isinstance(lo, float) and math.isnan(lo):
        return _f(row[name], digits)
    return f"{_f(row[name], digits)} ({_f(lo, digits)}-{_f(hi, digits)})"


def result_tables(result: SimulationResult) -> dict[str, pd.DataFrame]:
    """Every table of a result, by file name."""
    tables: dict[str, pd.DataFrame] = {}
    mc = result.monte_carlo
    if mc is not None:
        tables["mc_summary.csv"] = mc.summary_table()
        tables["mc_years.csv"] = mc.year_table()
        tables["mc_pairs.csv"] = mc.pair_table()
        tables["mc_links.csv"] = mc.link_table(result.link_info[["system", "kind",
                                                                  "length_km"]])
    if result.replays:
        rep, pairs, series = replay_tables(result.replays)
        tables["replays.csv"] = rep
        tables["replay_pairs.csv"] = pairs
        tables["replay_timeseries.csv"] = series
    if len(result.n1):
        tables["criticality_n1.csv"] = result.n1
        tables["criticality_n2.csv"] = result.n2
    rows = []
    for r in result.sample_year:
        ts = r.timeseries or {}
        if ts:
            rows.append(pd.DataFrame({"scenario": r.scenario, "hour": ts["t_h"],
                                      "offered_gbps": ts["offered_gbps"],
                                      "served_gbps": ts["served_gbps"],
                                      "unserved_gbps": ts["unserved_gbps"],
                                      "mean_rtt_ms": ts["mean_rtt_ms"]}))
    if rows:
        tables["sample_year_timeseries.csv"] = pd.concat(rows, ignore_index=True)
    return tables


# ----------------------------------------------------------------------------- markdown
def simulation_markdown(result: SimulationResult, tables: dict[str, pd.DataFrame]) -> str:
    """The report: availability table, replays, critical links, assumptions."""
    sim = result.sim
    s = sim.settings
    lines = [f"# {sim.name}: resilience simulation", "", sim.experiment.description, ""]
    summary = tables.get("mc_summary.csv")
    if summary is not None and len(summary):
        lines += [f"## Monte Carlo: {result.years} simulated years (seed {result.seed})", "",
                  "Mean per simulated year with its 95% confidence interval (Student t over "
                  "years). Availability is served over offered traffic (Gbps-hours).", "",
                  "| scenario | availability % | unserved Gbps-h/yr | unserved % "
                  "| hours with unserved traffic | faults/yr | mean RTT ms |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for _, row in summary.iterrows():
            lines.append(
                f"| {row['scenario']} | {_ci(row, 'availability_pct', 4)} "
                f"| {_ci(row, 'unserved_gbph', 0)} | {_ci(row, 'unserved_pct', 4)} "
                f"| {_ci(row, 'hours_with_unserved', 1)} | {_ci(row, 'faults', 1)} "
                f"| {_ci(row, 'mean_rtt_ms', 1)} |")
        lines.append("")
    pairs = tables.get("mc_pairs.csv")
    if pairs is not None and len(pairs):
        scen = list(dict.fromkeys(pairs["scenario"]))
        wide = pairs.pivot_table(index=["origin_country", "destination_country"],
                                 columns="scenario", values="availability_pct", sort=True)
        hours = pairs.pivot_table(index=["origin_country", "destination_country"],
                                  columns="scenario", values="hours_above_rtt_per_year",
                                  sort=True)
        first = scen[0]
        worst = wide.sort_values(first, kind="stable").head(20)
        lines += ["## Availability per country pair", "",
                  f"The 20 country pairs (origin -> destination) least available under "
                  f"`{first}`, traffic-weighted availability % per scenario, and hours a year "
                  f"the pair's mean RTT is above {_f(s.rtt_threshold_ms, 0)} ms (or it has no "
                  "path). Every pair, with confidence intervals: `mc_pairs.csv`.", "",
                  "| pair | " + " | ".join(f"{c} %" for c in scen) + " | "
                  + " | ".join(f"{c} h>RTT" for c in scen) + " |",
                  "|---|" + "---:|" * (2 * len(scen))]
        for (o, d), row in worst.iterrows():
            lines.append(f"| {o} -> {d} | " + " | ".join(_f(row[c], 3) for c in scen) + " | "
                         + " | ".join(_f(hours.loc[(o, d), c], 0) for c in scen) + " |")
        lines.append("")
    rep = tables.get("replays.csv")
    rpairs = tables.get("replay_pairs.csv")
    if rep is not None and len(rep):
        lines += ["## Replays of historical cuts", "",
                  "Unserved traffic over the event (busy-hour demand under the diurnal "
                  "curve), in brackets the part beyond the same window without the cuts "
                  "(capacitated scenarios leave some traffic unserved even then), and the "
                  "change of the traffic-weighted mean RTT against that window.", ""]
        for replay in sim.replays:
            sub = rep[rep["replay"] == replay.name]
            lines += [f"### {replay.name} ({replay.date.isoformat()}, "
                      f"{_f(replay.duration_days, 0)} days)", "", replay.description, "",
                      "| scenario | links cut | unserved Gbps-h (beyond baseline) "
                      "| unserved % (beyond baseline) | peak unserved Gbps "
                      "| mean RTT change ms | pairs with more unserved |",
                      "|---|---:|---:|---:|---:|---:|---:|"]
            for _, row in sub.iterrows():
                lines.append(f"| {row['scenario']} | {row['links_cut']} "
                             f"| {_f(row['unserved_gbph'], 0)} "
                             f"({_f(row['extra_unserved_gbph'], 0)}) "
                             f"| {_f(row['unserved_pct'], 3)} "
                             f"({_f(row['extra_unserved_pct'], 3)}) "
                             f"| {_f(row['peak_unserved_gbps'], 1)} "
                             f"| {_f(row['rtt_change_ms'], 2)} | {row['pairs_with_unserved']} |")
            if rpairs is not None and len(rpairs):
                rp = rpairs[rpairs["replay"] == replay.name]
                scen = list(dict.fromkeys(rp["scenario"]))
                first = rp[rp["scenario"] == scen[0]].copy()
                first["key"] = first["extra_unserved_gbph"].fillna(0) * 1e6 + first[
                    "rtt_change_ms"].fillna(0)
                top = first.sort_values("key", ascending=False, kind="stable").head(8)
                top = top[(top["extra_unserved_gbph"] > 0) | (top["rtt_change_ms"] > 0.5)]
                if len(top):
                    lines += ["", f"Most affected country pairs (by `{scen[0]}`): unserved % "
                              "/ RTT change ms per scenario.", "",
                              "| pair | " + " | ".join(scen) + " |",
                              "|---|" + "---:|" * len(scen)]
                    idx = rp.set_index(["scenario", "origin_country", "destination_country"])
                    for _, row in top.iterrows():
                        cells = []
                        for c in scen:
                            key = (c, row["origin_country"], row["destination_country"])
                            if key in idx.index:
                                v = idx.loc[key]
                                cells.append(f"{_f(v['unserved_pct'], 1)}% / "
                                             f"{_f(v['rtt_change_ms'], 1)}")
                            else:
                                cells.append("n/a")
                        lines.append(f"| {row['origin_country']} -> "
                                     f"{row['destination_country']} | " + " | ".join(cells)
                                     + " |")
            lines += ["", f"Plot: `replay_{replay.name}.png`. Source: {replay.citation}", ""]
    if len(result.n1):
        lines += ["## Most critical links (N-1)", "",
                  "Busy-hour traffic unserved when the link alone fails, and the "
                  "traffic-weighted RTT increase of the re-routed traffic (uncapacitated "
                  "router), and the risk: unserved Gbps x faults a year x mean outage. Full "
                  "ranking: `criticality_n1.csv`; every pair of the "
                  f"{s.criticality_top} most critical links: `criticality_n2.csv`.", "",
                  "| scenario | rank | link | system | unserved Gbps | mean RTT increase ms "
                  "| risk Gbps-h/yr |",
                  "|---|---:|---|---|---:|---:|---:|"]
        for _, row in result.n1.groupby("scenario", sort=False).head(5).iterrows():
            lines.append(f"| {row['scenario']} | {row['rank']} | {row['link']} "
                         f"| {row['system']} | {_f(row['unserved_gbps'], 1)} "
                         f"| {_f(row['mean_rtt_increase_ms'], 3)} "
                         f"| {_f(row['risk_unserved_gbph_per_year'], 0)} |")
        if len(result.n2):
            lines += ["", "Worst pairs of links (N-2):", "",
                      "| scenario | links | unserved Gbps | beyond the two single losses |",
                      "|---|---|---:|---:|"]
            for _, row in result.n2.groupby("scenario", sort=False).head(3).iterrows():
                lines.append(f"| {row['scenario']} | {row['link_a']} + {row['link_b']} "
                             f"| {_f(row['unserved_gbps'], 1)} "
                             f"| {_f(row['extra_unserved_gbps'], 1)} |")
        lines.append("")
    f = s.faults
    r = s.repair
    lines += ["## Model and assumptions", "",
              f"- Faults: Poisson per link; per 1,000 km per year: submarine {f.submarine:g} "
              f"(depth unknown), {f.submarine_shallow:g} in the {len(f.shallow_areas)} "
              f"shallow areas and {f.submarine_deep:g} elsewhere when areas are given, "
              f"terrestrial {f.terrestrial:g}, metro {f.metro:g} (facts-inputs A5.1; the "
              "shallow/deep split and terrestrial rate are estimates).",
              f"- Repairs: lognormal, submarine median {r.submarine_median_days:g} days "
              f"(sigma {r.submarine_sigma:g}), terrestrial {r.terrestrial_median_days:g} days; "
              + "; ".join(f"{g.name}: permit delay median {g.permit_delay_days:g} days, "
                          f"{g.ships or 'unlimited'} ships" for g in r.regions)
              + f"; elsewhere {r.ships or 'unlimited'} ships (facts-inputs A5.2).",
              f"- Load: the scenario's busy-hour demand times a diurnal curve in each end "
              f"node's local time (UTC offset round(lon/15) unless utc_offset_h is given; "
              f"shape an estimate, amplitude {s.diurnal.amplitude:g}).",
              "- Re-routing after every event under the scenario's policy (exchange hubs "
              "re-chosen among the rule's candidates) and transit restrictions; only the "
              "demands whose paths touch the changed links are re-routed; capacitated "
              "scenarios re-solve the column-generation LP.",
              f"- Each simulated year starts after a {s.warmup_days:g}-day warm-up of faults "
              "and repairs; all scenarios see the same faults in a given year.",
              "- Replays cut the links their selectors match on each scenario's network for "
              "the historical durations (no permits or ship queue).", ""]
    if result.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in result.notes] + [""]
    lines += ["## Files", ""] + [f"- `{name}`" for name in sorted(tables)] + [
        "", "## Inputs", "",
        f"- experiment file: `{sim.path.name}` (sha256 {sim.input_hash[:16]}...)",
        f"- topology: `{sim.experiment.topology.name}`",
        f"- cablesim {__version__}", ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- plots
def new_figure(figsize: tuple[float, float], dpi: float) -> Any:
    """A matplotlib Figure on an Agg canvas (no pyplot state, no display)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig: Any, path: Path) -> Path:
    """Write ``fig`` as a PNG, atomically."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, metadata={"Software": "cablesim"})
    return atomic_write_bytes(path, buffer.getvalue())


def _plots(result: SimulationResult, folder: Path) -> list[Path]:
    written = []
    for replay in result.sim.replays:
        runs = [r for r in result.replays if r.replay.name == replay.name]
        if not runs:
            continue
        fig = new_figure((9.0, 5.0), 110)
        ax1 = fig.add_subplot(2, 1, 1)
        ax2 = fig.add_subplot(2, 1, 2, sharex=ax1)
        for run in runs:
            ts = run.result.timeseries or {}
            if not ts:
                continue
            days = ts["t_h"] / 24.0
            ax1.plot(days, ts["unserved_gbps"], lw=0.9, label=run.scenario)
            ax2.plot(days, ts["mean_rtt_ms"], lw=0.9, label=run.scenario)
        for ax in (ax1, ax2):
            ax.axvspan(0, replay.duration_days, color="0.9", zorder=0)
            ax.grid(True, lw=0.3)
        ax1.set_ylabel("unserved Gbps")
        ax2.set_ylabel("mean RTT ms")
        ax2.set_xlabel(f"days after {replay.date.isoformat()} (UTC)")
        ax1.set_title(f"{replay.name}: {replay.description}", fontsize=8)
        ax1.legend(fontsize=6, loc="upper right")
        fig.tight_layout()
        written.append(save_figure(fig, folder / f"replay_{replay.name}.png"))
    if result.sample_year:
        fig = new_figure((9.0, 5.0), 110)
        ax1 = fig.add_subplot(2, 1, 1)
        ax2 = fig.add_subplot(2, 1, 2, sharex=ax1)
        for r in result.sample_year:
            ts = r.timeseries or {}
            if not ts:
                continue
            days = ts["t_h"] / 24.0
            ax1.plot(days, ts["served_gbps"], lw=0.4, label=f"{r.scenario} served")
            ax2.plot(days, ts["mean_rtt_ms"], lw=0.6, label=r.scenario)
        ax1.set_ylabel("served Gbps")
        ax2.set_ylabel("mean RTT ms")
        ax2.set_xlabel("day of simulated year 0")
        ax1.set_title("Simulated year 0: served traffic (diurnal load) and mean RTT",
                      fontsize=8)
        for ax in (ax1, ax2):
            ax.grid(True, lw=0.3)
            ax.legend(fontsize=6, loc="upper right")
        fig.tight_layout()
        written.append(save_figure(fig, folder / "sample_year.png"))
    mc = result.monte_carlo
    if mc is not None and mc.years:
        years = mc.year_table()
        fig = new_figure((7.0, 3.6), 110)
        ax = fig.add_subplot(1, 1, 1)
        names = [m.scenario for m in mc.models]
        data = [years.loc[years["scenario"] == n, "unserved_pct"].to_numpy() for n in names]
        ax.boxplot(data, showfliers=True)
        ax.set_xticks(range(1, len(names) + 1), names, fontsize=7)
        ax.set_ylabel("unserved % of offered, per year")
        ax.set_yscale("symlog", linthresh=1e-4)
        ax.set_title(f"{len(mc.years)} simulated years, seed {mc.seed}", fontsize=8)
        ax.grid(True, lw=0.3)
        fig.tight_layout()
        written.append(save_figure(fig, folder / "mc_unserved.png"))
    return written


def simulation_folder(sim: SimulationExperiment, out_dir: str | Path, *,
                      parameters: Mapping[str, Any], force: bool = False) -> ResultsFolder:
    """The writer of a simulation's results folder: its inputs are the experiment's files
    and the replay files; ``parameters`` are what the command line set (years, seed, what
    was run), so that results of another seed are never taken for these."""
    inputs = experiment_inputs(sim.experiment)
    base = sim.path.resolve().parent
    replay_files = sorted({Path(r.source) for r in sim.replays if r.source})
    for path in replay_files:
        if path.is_file():
            inputs[os.path.relpath(path.resolve(), base)] = hashlib.sha256(
                path.read_bytes()).hexdigest()
    return ResultsFolder(out_dir, kind="simulate", inputs=inputs, parameters=parameters,
                         protected=experiment_paths(sim.experiment) + replay_files,
                         force=force)


def write_simulation(result: SimulationResult, out: str | Path | ResultsFolder, *,
                     plots: bool = True) -> list[Path]:
    """Write the tables, plots, ``simulation.md`` and ``manifest.json`` into a results
    folder, atomically (:class:`cablesim._folders.ResultsFolder`: staged beside it and
    swapped in; an interrupted write leaves the previous results whole).

    Parameters
    ----------
    out : path-like or ResultsFolder
        The results folder, or its writer already opened (as the CLI does, before running).

    Returns
    -------
    list of Path
        The files written.
    """
    if not isinstance(out, ResultsFolder):
        writer = simulation_folder(result.sim, out, parameters={
            "years": result.years, "seed": result.seed, "plots": plots})
        with writer.open() as opened:
            return write_simulation(result, opened, plots=plots)
    stage = out.stage()
    tables = result_tables(result)
    for name, table in tables.items():
        atomic_write_text(stage / name, _csv(table))
    if plots:
        _plots(result, stage)
    atomic_write_text(stage / "simulation.md", simulation_markdown(result, tables))
    return out.commit({
        "experiment": result.sim.name,
        "experiment_file": str(result.sim.path),
        "experiment_sha256": result.sim.input_hash,
        "years": result.years,
        "seed": result.seed,
        "executor": result.monte_carlo.executor if result.monte_carlo else None,
        "scenarios": [m.scenario for m in result.models],
        "replays": [r.name for r in result.sim.replays],
        "timings_s": {k: round(v, 3) for k, v in result.timings.items()},
    })
