"""The command line: summaries, JSON, exit codes, and no tracebacks on bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from cablesim.cli import EXIT_INVALID, EXIT_OK, main


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_validate_prints_a_summary(tiny_dir):
    code, out, err = run("validate", str(tiny_dir))
    assert code == EXIT_OK and err == ""
    assert "topology tiny: valid" in out
    assert "nodes            4  (city 1, hub 3)" in out
    assert "components       1" in out


def test_validate_json_has_the_documented_keys(tiny_dir):
    code, out, _ = run("validate", str(tiny_dir), "--json")
    data = json.loads(out)
    assert code == EXIT_OK and data["valid"] is True
    for key in ("nodes", "links", "nodes_by_kind", "links_by_kind", "systems", "countries",
                "total_km", "components"):
        assert key in data
    assert data["nodes"] == 4 and data["links_by_kind"] == {"submarine": 2, "terrestrial": 2}
    assert data["systems"] == ["Test Backbone", "Test Border Link", "Test Cable A",
                               "Test Cable B"]


def test_validate_bad_topology_exits_non_zero_with_located_problems(tiny_copy):
    links = tiny_copy / "links.csv"
    links.write_text(links.read_text().replace("HKHKG,CNNNG", "HKHKG,CNNNN"))
    code, out, err = run("validate", str(tiny_copy))
    assert code == EXIT_INVALID and out == ""
    assert f"{links}, line 4, field 'to_node': unknown node id 'CNNNN'" in err
    assert "did you mean 'CNNNG'?" in err
    assert "Traceback" not in err


def test_validate_bad_topology_json_lists_problems(tiny_copy):
    nodes = tiny_copy / "nodes.csv"
    nodes.write_text(nodes.read_text().replace("103.8198,1.3521", "103.8198,nan"))
    code, out, _ = run("validate", str(tiny_copy), "--json")
    data = json.loads(out)
    assert code == EXIT_INVALID and data["valid"] is False
    assert data["problems"][0]["field"] == "lat" and data["problems"][0]["row"] == 2


def test_missing_folder(tmp_path):
    code, _, err = run("validate", str(tmp_path / "nope"))
    assert code == EXIT_INVALID and "does not exist" in err


def test_usage_errors_exit_2():
    assert run()[0] == 2
    assert run("frobnicate")[0] == 2


def test_console_script_runs_as_a_process(tiny_copy):
    (tiny_copy / "nodes.csv").write_text("id,name\n")
    proc = subprocess.run([sys.executable, "-m", "cablesim", "validate", str(tiny_copy)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == EXIT_INVALID
    assert "required column is missing" in proc.stderr and "Traceback" not in proc.stderr


def test_an_unwritable_output_location_is_a_located_user_error(tmp_path):
    """Checked before any computing: exit 1 with the location, never 'internal error'."""
    from conftest import DATA

    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    experiment = str(DATA / "policy_small" / "experiment.toml")
    cases = [
        ("run", experiment, "--out", str(blocker / "results"), "--no-report"),
        ("run", experiment, "--out", str(blocker), "--no-report"),
        ("simulate", str(DATA / "sim_small" / "experiment.toml"), "--out",
         str(blocker / "sim")),
        ("map", str(DATA / "policy_small"), "--out", str(blocker / "m.png")),
        ("run", experiment, "--out", "/proc/cablesim-test", "--no-report"),
    ]
    for argv in cases:
        code, _, err = run(*argv)
        assert code == EXIT_INVALID, (argv, err)
        assert "internal error" not in err and "cannot write" in err, err
        assert str(blocker) in err or "/proc" in err, err
    assert not list(tmp_path.glob(".*")), "a probe or temporary file was left behind"


def test_validate_checks_the_studys_bandwidth_table(tiny_copy):
    (tiny_copy / "study.toml").write_text('[study]\nname = "tiny"\nbandwidth = "bw.csv"\n')
    table = tiny_copy / "bw.csv"
    table.write_text("country,year,gbps,metric,source\nSGP,2014,3000,capacity,S1\n")
    code, out, err = run("validate", str(tiny_copy))
    assert code == EXIT_OK, err
    assert "study.toml: valid (bandwidth table: 1 cited figures)" in out
    table.write_text("country,year,gbps,metric,source\nSPG,2014,3000,capacity,S1\n")
    code, out, err = run("validate", str(tiny_copy))
    assert code == EXIT_INVALID and out == ""
    assert f"{table}, line 2, field 'country': unknown country 'SPG'" in err
    assert "Traceback" not in err


def test_validate_checks_the_studys_lit_anchors(tiny_copy):
    import pandas as pd

    system = str(pd.read_csv(tiny_copy / "links.csv")["system"].dropna().iloc[0])
    (tiny_copy / "study.toml").write_text(
        '[study]\nname = "tiny"\n[lit]\ninitial_share = 0.2\ngrowth = 0.1\n'
        'anchors = "lit.csv"\n')
    table = tiny_copy / "lit.csv"
    table.write_text(f'system,year,lit_gbps,metric,source\n"{system}",2015,100,lit,S1\n')
    code, out, err = run("validate", str(tiny_copy))
    assert code == EXIT_OK, err
    assert "lit capacity: 1 cited anchors" in out
    table.write_text(f'system,year,lit_gbps,metric,source\n"{system}x",2015,100,lit,S1\n')
    code, out, err = run("validate", str(tiny_copy))
    assert code == EXIT_INVALID and out == ""
    assert f"{table}, line 2, field 'system': unknown system" in err
    assert "Traceback" not in err


def test_validate_checks_the_studys_transit_roles(tiny_copy):
    (tiny_copy / "study.toml").write_text('[study]\nname = "tiny"\ntransit_roles = "r.csv"\n')
    table = tiny_copy / "r.csv"
    header = "country,sells_transit_to,operator,source,url,confidence,note\n"
    table.write_text(header + "SGP,none,,S,,estimate,\n")
    code, out, err = run("validate", str(tiny_copy))
    assert code == EXIT_OK and "transit roles: 1 countries" in out, err
    table.write_text(header + "SGP,none,,S,,estimate,\nHKX,none,,S,,estimate,\n")
    code, out, err = run("validate", str(tiny_copy))
    assert code == EXIT_INVALID and out == ""
    assert f"{table}, line 3, field 'country': unknown country 'HKX'" in err
    assert "did you mean 'HKG'" in err and "Traceback" not in err
