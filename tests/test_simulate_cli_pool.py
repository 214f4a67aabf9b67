"""`cablesim simulate` on a local pool: the progress display starts no thread, so that the
pool forks its workers (inheriting models and router caches) where the platform allows."""

from __future__ import annotations

import io
import json
import multiprocessing
import threading
from pathlib import Path

import pytest

from cablesim.cli import main
from cablesim.commands.simulate import _Progress

ROOT = Path(__file__).resolve().parents[1]


def test_progress_display_runs_no_thread():
    before = threading.active_count()
    with _Progress(io.StringIO()) as progress:
        progress("monte carlo", 1, 4)
        assert threading.active_count() == before


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="no fork start method on this platform")
def test_cli_monte_carlo_forks_its_workers(tmp_path):
    if threading.active_count() > 1:
        pytest.skip("another thread runs in this test process")
    out = tmp_path / "sim"
    # the flagship resilience experiment: its Monte Carlo scenarios are all uncapacitated
    # (a capacitated one keeps the LP solver's threads and uses forkserver)
    code = main(["simulate", str(ROOT / "experiments" / "resilience.toml"), "--years", "2",
                 "--workers", "2", "--no-replays", "--no-criticality", "--no-plots",
                 "--out", str(out)], out=io.StringIO(), err=io.StringIO())
    assert code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["executor"] == "processes (2, fork)"
