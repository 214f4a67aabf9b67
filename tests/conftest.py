"""Shared fixtures: paths to the bundled test topologies and the shared data folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cablesim.study import load_study

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def tiny_dir() -> Path:
    """The hand-built 4-node topology in tests/data/tiny."""
    return DATA / "tiny"


@pytest.fixture
def tiny_copy(tmp_path: Path, tiny_dir: Path) -> Path:
    """A writable copy of the tiny topology."""
    target = tmp_path / "tiny"
    shutil.copytree(tiny_dir, target)
    return target


STUDY = load_study(ROOT / "topology" / "china_asean" / "study.toml")
"""The China-ASEAN study: its groups name the traffic classes (intra_asean, china_asean)."""
