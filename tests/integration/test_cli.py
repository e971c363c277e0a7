"""`python -m microcredit` is the one entry point: our commands, the calculator, Django's."""

import json
import subprocess
import sys


def _run(*args, stdin: str = ""):
    return subprocess.run([sys.executable, "-m", "microcredit", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_help_lists_our_commands():
    out = _run("--help").stdout
    for command in ("demo-data", "serve", "worker", "calc"):
        assert command in out


def test_calc_schedule_reads_and_writes_json():
    loan = {"principal": "30000", "annual_rate": "4.35", "disbursed_on": "2019-05-08",
            "term_months": 12, "method": "bullet"}
    result = _run("calc", "schedule", stdin=json.dumps(loan))
    assert result.returncode == 0
    assert json.loads(result.stdout)["installments"] == [
        {"due_date": "2020-05-08", "principal": "30000.00", "interest": "1326.75"}]


def test_calc_bad_input_exits_2_with_one_chinese_line():
    result = _run("calc", "schedule", stdin='{"principal": "1", "annual_rate": "4.35", '
                  '"disbursed_on": "2019-02-30", "term_months": 12, "method": "bullet"}')
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "disbursed_on" in lines[0]
