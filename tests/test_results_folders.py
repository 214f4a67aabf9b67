"""Results folders that never lie: ownership, locks, --force limits and signals for every
command that writes a folder (issue 14, items 1-4 and 7)."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cablesim._folders import ResultsFolder
from cablesim.cli import EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, main
from conftest import DATA, ROOT


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def sim(tmp_path):
    folder = tmp_path / "sim_exp"
    shutil.copytree(DATA / "sim_small", folder)
    return folder / "experiment.toml"


@pytest.fixture
def experiment(tmp_path):
    folder = tmp_path / "exp"
    shutil.copytree(DATA / "policy_small", folder)
    return folder / "experiment.toml"


SIM_ARGS = ("--years", "1", "--workers", "1", "--no-plots", "--no-criticality")


def test_simulate_refuses_results_of_another_seed_and_force_replaces_them_whole(sim, tmp_path):
    out = tmp_path / "S"
    code, _, err = run("simulate", str(sim), "--seed", "7", "--out", str(out), *SIM_ARGS)
    assert code == EXIT_OK, err
    before = snapshot(out)
    assert json.loads(before["manifest.json"])["parameters"]["seed"] == 7
    code, _, err = run("simulate", str(sim), "--seed", "8", "--out", str(out), *SIM_ARGS)
    assert code == EXIT_INVALID and "changed: seed" in err and "--force" in err, err
    assert snapshot(out) == before
    code, _, err = run("simulate", str(sim), "--seed", "8", "--out", str(out), "--force",
                       *SIM_ARGS)
    assert code == EXIT_OK, err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 8 and manifest["parameters"]["seed"] == 8
    assert sorted(manifest["files"]) == sorted(p.name for p in out.iterdir())
    assert leftovers(tmp_path) == []


def test_a_command_never_writes_into_another_commands_folder(sim, experiment, tmp_path):
    out = tmp_path / "R"
    assert run("run", str(experiment), "--out", str(out), "--no-report")[0] == EXIT_OK
    before = snapshot(out)
    code, _, err = run("simulate", str(sim), "--out", str(out), *SIM_ARGS)
    assert code == EXIT_INVALID and "`cablesim run`, not of `cablesim simulate`" in err, err
    assert snapshot(out) == before


def test_force_never_replaces_inputs_the_current_folder_or_foreign_files(experiment, tmp_path,
                                                                         monkeypatch):
    topology = experiment.parent  # the experiment's topology is its own folder
    before = snapshot(topology)
    code, _, err = run("run", str(experiment), "--out", str(topology), "--force",
                       "--no-report")
    assert code == EXIT_INVALID and "holds an input of this run" in err, err
    assert snapshot(topology) == before
    monkeypatch.chdir(tmp_path)
    code, _, err = run("run", str(experiment), "--out", ".", "--force", "--no-report")
    assert code == EXIT_INVALID and "current folder" in err, err
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("precious")
    code, _, err = run("run", str(experiment), "--out", str(mine), "--force", "--no-report")
    assert code == EXIT_INVALID and "never replaced, not even with --force" in err, err
    assert (mine / "thesis.docx").read_text() == "precious"


def test_a_second_writer_is_refused_while_the_lock_is_held(experiment, tmp_path):
    out = tmp_path / "R"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock = ResultsFolder(out, kind="run", inputs={})._lock_path()
        lock.write_text(f"{holder.pid} {out}\n")
        code, _, err = run("run", str(experiment), "--out", str(out), "--no-report")
        assert code == EXIT_INVALID, err
        assert f"another cablesim command (process {holder.pid})" in err, err
        assert not out.exists()
    finally:
        holder.kill()
        holder.wait()
    # the holder is gone: its lock is stale and the next writer takes over
    code, _, err = run("run", str(experiment), "--out", str(out), "--no-report")
    assert code == EXIT_OK, err
    assert leftovers(tmp_path) == []


SLOW = """
import sys, time
import cablesim._atomic as atomic
import cablesim.experiment.write as write
real = atomic.atomic_write_text
def slow(path, text):
    time.sleep(0.3)
    return real(path, text)
write.atomic_write_text = slow
from cablesim.cli import run
sys.argv = ["cablesim", *sys.argv[1:]]
run()
"""


def _start_slow(*argv: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.Popen([sys.executable, "-c", SLOW, *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _wait_for_stage(folder: Path, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".cablesim-stage-") for p in folder.iterdir()):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)


def test_two_experiments_into_one_folder_at_once_one_is_refused(experiment, tmp_path):
    out = tmp_path / "R"
    other = tmp_path / "other"
    shutil.copytree(experiment.parent, other)
    (other / "experiment.toml").write_text(
        (other / "experiment.toml").read_text().replace('name = "policy_small"',
                                                        'name = "other"'))
    first = _start_slow("run", str(experiment), "--out", str(out), "--no-report")
    _wait_for_stage(tmp_path, first)
    code, _, err = run("run", str(other / "experiment.toml"), "--out", str(out),
                       "--no-report")
    assert code == EXIT_INVALID and "another cablesim command" in err, err
    _, first_err = first.communicate(timeout=120)
    assert first.returncode == EXIT_OK, first_err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["experiment"] == "policy_small"
    assert leftovers(tmp_path) == []


def test_sigterm_while_writing_leaves_nothing_behind_and_the_old_results(experiment,
                                                                         tmp_path):
    out = tmp_path / "R"
    assert run("run", str(experiment), "--out", str(out), "--no-report")[0] == EXIT_OK
    before = snapshot(out)
    proc = _start_slow("run", str(experiment), "--out", str(out), "--no-report")
    _wait_for_stage(tmp_path, proc)
    time.sleep(0.4)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.05)
    proc.send_signal(signal.SIGINT)  # a second, impatient interrupt
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_INTERRUPTED, err
    assert "Traceback" not in err
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_a_long_folder_name_still_gets_its_staging_folder(experiment, tmp_path):
    out = tmp_path / ("r" * 250)  # legal; "." + name + a suffix would not be
    code, _, err = run("run", str(experiment), "--out", str(out), "--no-report")
    assert code == EXIT_OK, err
    assert (out / "scenarios.csv").is_file() and leftovers(tmp_path) == []


def test_stale_staging_folders_of_killed_runs_are_swept(experiment, tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".cablesim-stage-{dead.pid}-abc123"
    stale.mkdir()
    (stale / "half.csv").write_text("a\n")
    code, _, err = run("run", str(experiment), "--out", str(tmp_path / "R"), "--no-report")
    assert code == EXIT_OK, err
    assert leftovers(tmp_path) == []


def test_scenario_names_that_clean_to_the_same_text_get_distinct_files(experiment, tmp_path):
    text = experiment.read_text()
    text += ('\n[[scenario]]\nname = "a/b"\npolicy = "direct"\n'
             '\n[[scenario]]\nname = "a_b"\npolicy = "direct"\n')
    experiment.write_text(text)
    out = tmp_path / "R"
    code, _, err = run("run", str(experiment), "--out", str(out))
    assert code == EXIT_OK, err
    maps = sorted(p.name for p in out.glob("map_a*"))
    assert len(maps) == 2 and "map_a_b.png" in maps, maps
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["files"]) == len(set(manifest["files"]))
    assert sorted(manifest["files"]) == sorted(p.name for p in out.iterdir())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("delay", [0.15, 0.6])
def test_a_signal_during_start_up_is_an_interrupt_with_a_message(experiment, tmp_path, sig,
                                                                 delay):
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen([sys.executable, "-m", "cablesim", "run", str(experiment),
                             "--out", str(tmp_path / "R")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(delay)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err, err
    if proc.returncode != EXIT_OK:  # the run may have finished before the signal
        assert proc.returncode == EXIT_INTERRUPTED and "interrupted" in err, (
            proc.returncode, err)
    assert leftovers(tmp_path) == [] or leftovers(tmp_path) == [".pytest_cache"]


def test_a_full_disk_while_writing_is_a_user_error_and_replaces_nothing(experiment, tmp_path,
                                                                        monkeypatch):
    import errno

    import cablesim.experiment.write as write

    out = tmp_path / "R"
    assert run("run", str(experiment), "--out", str(out), "--no-report")[0] == EXIT_OK
    before = snapshot(out)

    def full(path, text):
        raise OSError(errno.ENOSPC, "No space left on device")  # no file named, as seen

    monkeypatch.setattr(write, "atomic_write_text", full)
    code, _, err = run("run", str(experiment), "--out", str(out), "--no-report")
    assert code == EXIT_INVALID, err
    assert "No space left on device" in err and "internal error" not in err
    assert snapshot(out) == before and leftovers(tmp_path) == []


def test_an_interrupt_inside_an_import_is_an_interrupt(monkeypatch):
    # Python turns a KeyboardInterrupt raised while an extension module initialises into
    # "ImportError: initialization failed"; after a signal that is an interrupt, not a bug
    from cablesim import cli

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt:
            raise ImportError("initialization failed") from None
    except ImportError as exc:
        chained = exc
    assert cli._interrupted(chained) is True  # the interrupt is still its context
    assert cli._interrupted(ImportError("initialization failed")) is False
    monkeypatch.setattr(cli, "_SIGNALLED", [True])
    assert cli._interrupted(ImportError("initialization failed")) is True
    assert cli._interrupted(ValueError("a real bug")) is False
    wrapped = RuntimeError("x")
    wrapped.__context__ = KeyboardInterrupt()
    assert cli._interrupted(wrapped) is True


def test_an_interrupt_swallowed_by_a_finaliser_is_raised_at_the_next_stage(monkeypatch):
    # a signal that lands in a weakref callback is only "ignored" by Python: the command
    # line keeps it (no traceback printed) and raises it between two stages
    import types

    from cablesim import cli

    seen = []
    hook = cli._swallowed_interrupts(lambda info: seen.append(info))
    monkeypatch.setattr(cli, "_PENDING", [False])
    hook(types.SimpleNamespace(exc_value=KeyboardInterrupt()))
    hook(types.SimpleNamespace(exc_value=ValueError("other")))
    assert len(seen) == 1 and cli._PENDING[0]
    with pytest.raises(KeyboardInterrupt):
        cli._raise_pending_interrupt()
    cli._raise_pending_interrupt()  # nothing pending any more
