"""Results folders: never half-written, never mixed with results of other inputs."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cablesim.experiment.write as outputs
from cablesim import OutputError
from cablesim.cli import EXIT_INTERRUPTED, EXIT_INVALID, main
from cablesim.experiment import load_experiment, run_experiment
from conftest import DATA, ROOT


@pytest.fixture
def experiment(tmp_path):
    folder = tmp_path / "exp"
    shutil.copytree(DATA / "policy_small", folder)
    return folder / "experiment.toml"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_rerun_with_the_same_inputs_replaces_the_folder(experiment, tmp_path):
    out = tmp_path / "out"
    result = run_experiment(load_experiment(experiment))
    outputs.write_results(result, out)
    first = snapshot(out)
    outputs.write_results(result, out)
    assert snapshot(out) == first
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_results_of_other_inputs_are_not_replaced_without_force(experiment, tmp_path):
    out = tmp_path / "out"
    outputs.write_results(run_experiment(load_experiment(experiment)), out)
    before = snapshot(out)
    demand = experiment.parent / "demand.csv"
    demand.write_text(demand.read_text().replace("IDJKT,VNHAN,3", "IDJKT,VNHAN,4"))
    changed = run_experiment(load_experiment(experiment))
    with pytest.raises(OutputError, match="holds results of other inputs"):
        outputs.write_results(changed, out)
    assert snapshot(out) == before
    outputs.write_results(changed, out, force=True)
    assert snapshot(out)["scenarios.csv"] != before["scenarios.csv"]


def test_a_folder_of_other_files_is_refused(experiment, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    err = io.StringIO()
    assert main(["run", str(experiment), "--out", str(out)], io.StringIO(), err) == EXIT_INVALID
    assert "not cablesim results" in err.getvalue()
    assert (out / "thesis.docx").read_text() == "precious"


def test_an_interrupted_write_keeps_the_previous_results(experiment, tmp_path, monkeypatch):
    out = tmp_path / "out"
    result = run_experiment(load_experiment(experiment))
    outputs.write_results(result, out)
    before = snapshot(out)
    calls = {"n": 0}
    real = outputs.atomic_write_text

    def flaky(path, text):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(path, text)

    monkeypatch.setattr(outputs, "atomic_write_text", flaky)
    with pytest.raises(KeyboardInterrupt):
        outputs.write_results(result, out)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


SLOW_RUN = """
import sys, time
import cablesim.experiment.write as outputs
real = outputs.atomic_write_text
def slow(path, text):
    time.sleep(0.4)
    return real(path, text)
outputs.atomic_write_text = slow
from cablesim.cli import main
sys.exit(main(["run", sys.argv[1], "--out", sys.argv[2]]))
"""


def test_sigterm_mid_write_leaves_the_previous_results(experiment, tmp_path):
    out = tmp_path / "out"
    outputs.write_results(run_experiment(load_experiment(experiment)), out)
    before = snapshot(out)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen([sys.executable, "-c", SLOW_RUN, str(experiment), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".cablesim-stage-") for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    time.sleep(0.5)  # some files of the new results are written by now
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "interrupted" in err and "Traceback" not in err
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_written_files_get_the_usual_permissions(tmp_path):
    from cablesim._atomic import atomic_write_text

    mask = os.umask(0)
    os.umask(mask)
    path = atomic_write_text(tmp_path / "x.csv", "a\n")
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask


def test_results_folder_gets_the_usual_permissions(experiment, tmp_path):
    mask = os.umask(0)
    os.umask(mask)
    out = tmp_path / "out"
    outputs.write_results(run_experiment(load_experiment(experiment)), out)
    assert out.stat().st_mode & 0o777 == 0o777 & ~mask
