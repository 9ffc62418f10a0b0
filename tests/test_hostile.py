"""Hostile input, tried as a hostile student or a careless teacher would: every command must end
within its budget with a result (exit 0) or one clear message (exit 2) — never a traceback, an
internal error, a hang or a memory blow-up.

Each case runs `python -m calcgrad` in a fresh process (the program's own memory limit applies,
and a case that hangs cannot take the test run with it) and is timed on the wall clock. They are
in the slow tier; a few quick ones run in-process through click's CliRunner.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from calcgrad.cli import main

from .grading.sabotage import sabotaged_check

ROOT = Path(__file__).resolve().parent.parent

SECONDS = 12.0
"""Wall-clock limit per case: the command's own budget is far below this; start-up is ~1 s, and
the machine may be shared."""

REFUSE_SECONDS = 6.0
"""Wall-clock limit for a case that must be refused by a size guard (about 2 s on an idle
machine, start-up included)."""

KEY = '[q1]\nexpression = "x^2 sin x"\n'
SPEC = {"layers": [2, 3, 1], "activation": "tanh", "loss": "half_sse", "input": [1.0, -2.0],
        "target": [0.5], "weights": [[[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]], [[0.7, -0.8, 0.9]]],
        "biases": [[0.1, 0.1, 0.1], [0.2]], "learning_rate": 0.1}


def run_calcgrad(*args: str, cwd: Path | None = None, seconds: float = SECONDS,
                 stdin: str | None = None) -> tuple[int, str, str, float]:
    """Run the program; return (exit status, stdout, stderr, wall seconds)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    env.pop("CALCGRAD_DEBUG", None)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "calcgrad", *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=seconds * 3,
                          input=stdin if stdin is not None else "")
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def assert_ends_well(status: int, out: str, err: str, elapsed: float, seconds: float,
                     expect: str | None) -> None:
    assert elapsed < seconds, f"took {elapsed:.1f} s (limit {seconds:g} s); stderr: {err[-300:]}"
    assert "Traceback" not in err and "internal error" not in err, err[-800:]
    verdict = status == 1 and "Verdict" in out  # `check` exits 1 for a wrong answer, as a test does
    assert status in (0, 2) or verdict, f"exit {status}; stderr: {err[-400:]}"
    if status == 2:
        assert err.startswith("calcgrad: ") or "Error:" in err, err[-400:]
    if expect is not None:
        assert expect in out + err, f"expected {expect!r} in:\n{(out + err)[-600:]}"


# --- expressions: (arguments, text expected in the output or None, refused by a size guard?) --

TOWER = "e^e^e^e^3"

EXPRESSION_CASES = [
    # towers, huge exponents and numbers
    (["diff", f"x + {TOWER}"], "too large", True),
    (["diff", f"{TOWER} x"], "too large", True),
    # SymPy's sin() would evaluate the tower while the parser builds it: the parser refuses first
    (["diff", f"sin({TOWER} x)"], "too large", True),
    (["diff", "x^(e^e^e^e^e)"], "too large", True),
    (["diff", "e^(10^10) x"], "Result", False),
    (["diff", "x^(10^100)", "--at", "x=2"], "digits", True),
    (["diff", "x^(10^100)", "--at", "x=1"], None, False),
    (["diff", "x^(10^100)"], "Result", False),
    (["diff", "1/(y - x^1024)", "--wrt", "y"], "Result", False),
    (["diff", "(x+1)^1000"], "Result", False),
    (["diff", "(x^2+1)^500/(x-1)^300"], None, False),
    (["diff", "10^10^10^10"], None, True),
    (["diff", "x*10^4001"], None, True),
    (["diff", "9" * 1001 + "x"], None, True),
    (["diff", "x^x^x^x^x", "--order", "5"], "too large", True),
    (["diff", "x^x^x^x", "--order", "20"], None, True),
    (["diff", "x", "--order", "1000000000"], None, True),
    (["diff", "x^2", "--order", "-1"], None, True),
    (["diff", "1000!x"], None, False),
    (["diff", "100000!x"], None, True),
    (["diff", "(10^100)!"], None, True),
    (["diff", "gamma(10^100) x"], None, False),
    (["diff", "x^(1/10^100)"], None, False),
    (["diff", "x^0.1e-99999"], None, False),
    (["diff", "1e999999 x"], None, True),
    (["diff", "x^(2^(2^(2^(2^2))))"], None, False),
    (["diff", "exp(exp(exp(exp(x))))", "--at", "x=10"], None, False),
    (["diff", "exp(x)", "--at", "x=10^10"], None, False),
    (["diff", "exp(x)", "--at", "x=" + TOWER], None, True),
    (["diff", "x^x", "--at", "x=10^100"], None, False),
    (["diff", "sin(x)", "--at", "x=10^1000"], None, False),
    (["diff", "log(x)", "--at", "x=0"], None, False),
    (["diff", "1/x", "--at", "x=0"], None, False),
    (["diff", "sqrt(x)", "--at", "x=-1"], None, False),
    # nesting and length
    (["diff", "(" * 5000 + "x" + ")" * 5000], None, True),
    (["diff", "sin(" * 300 + "x" + ")" * 300], None, True),
    (["diff", "x" + "^x" * 200], None, True),
    (["diff", "+".join(["x"] * 4000)], "4000", False),
    (["diff", "x" * 20000], None, True),
    (["diff", " + ".join(f"sin({k}x)" for k in range(1, 400))], None, False),
    (["diff", "*".join(f"(x+{k})" for k in range(1, 70))], None, False),
    (["diff", "-" * 5000 + "x"], "Result", False),
    (["diff", "x" + "'" * 1000], None, True),
    (["diff", "|" * 1001 + "x" + "|" * 1001], None, True),
    # odd characters and injection attempts
    (["diff", "__import__('os').system('echo pwned')"], None, True),
    (["diff", "x.__class__.__mro__"], None, True),
    (["diff", "lambda: 0"], None, True),
    (["diff", "exec('1')"], None, True),
    (["diff", "\u202ex^2"], None, True),
    (["diff", "x\u200b^2"], None, True),
    (["diff", "𝑥²"], None, False),
    (["diff", "x²³⁴⁵"], None, False),
    (["diff", "٣x"], None, True),
    (["diff", "x^2 \U0001F600"], None, True),
    (["diff", ""], None, True),
    (["diff", "   "], None, True),
    (["diff", "x^"], None, True),
    (["diff", "()"], None, True),
    (["diff", "[x, y]"], None, True),
    (["diff", "x = 2"], None, True),
    (["diff", "x < 2"], None, True),
    (["diff", "0/0 x"], None, False),
    (["diff", "zoo x"], None, True),
    (["diff", "oo x"], None, False),
    (["diff", "nan"], None, True),
    (["diff", "x^2", "--wrt", "x" * 5000], None, True),
    (["diff", "x^2", "--wrt", "__class__"], None, True),
    (["diff", "x^2", "--var", "a" * 5000], None, False),
    (["diff", "x^2", "--at", "x=" + "9" * 5000], None, True),
    (["diff", "x^2", "--at", "x=(" * 200 + "1" + ")" * 200], None, True),
    (["diff", "x^2", "--at", "y=1"], None, True),
    (["diff", "x^2", "--at", "x=1,x=2"], None, True),
    (["diff", "x^2", "--at", "x=i"], None, True),
    # activations and functions at their edges
    (["diff", "|softplus(log(0))|"], None, False),
    (["diff", "softplus(" * 60 + "x" + ")" * 60], None, False),
    (["diff", "sigmoid(10^1000 x)", "--at", "x=1"], None, False),
    (["diff", "relu(x)", "--at", "x=0"], None, False),
    (["diff", "step(x - 1) x"], None, False),
    (["diff", "floor(x)"], None, True),
    (["diff", "gamma(x)", "--at", "x=0"], None, False),
    # other commands
    (["first-principles", "x^(10^100)"], "too high", True),
    (["first-principles", "x^1024"], None, True),
    (["first-principles", TOWER + " x"], "too large", True),
    (["first-principles", "1/(x - 1)^40"], None, True),
    (["first-principles", "sin(x)", "--at", "x=10^1000"], None, False),
    (["grad", "x^(10^100) + y", "--at", "x=2,y=1"], None, True),
    (["grad", " + ".join(f"x{k}" for k in range(1, 40))], None, True),
    (["grad", f"x + {TOWER} y"], "too large", True),
    (["hessian", "x^x^x^x * y^y^y^y"], None, False),
    (["hessian", "x^(10^100) y", "--at", "x=2,y=2"], None, True),
    (["jacobian", "x^2", "y^2", "--vars", "x,y"], None, False),
    (["descend", "gamma(x)", "--start", "x=2", "--lr", "0.1"], None, False),
    (["descend", "step(x - 1) x", "--start", "x=2", "--lr", "0.1"], "step", False),
    (["descend", "x^2", "--start", "x=1", "--lr", "1e308"], None, False),
    (["descend", "x^2", "--start", "x=1e308", "--lr", "10"], None, False),
    (["descend", "x^2", "--start", "x=1", "--lr", "0.1", "--steps", "1000000000"], None, True),
    (["descend", "x^2", "--start", "x=" + "9" * 400, "--lr", "0.1"], None, False),
    (["descend", "exp(exp(exp(x)))", "--start", "x=5", "--lr", "0.1"], None, False),
    (["descend", "erf(x)^2", "--start", "x=1", "--lr", "0.1"], None, False),
    (["descend", f"x^2 + {TOWER}", "--start", "x=1", "--lr", "0.1"], None, True),
    (["check", "2x sin x + x^2 cos x + sqrt(-1) e^e^e^e^3", "--of", "x^2 sin x"], "real numbers", True),
    (["check", "|softplus(log(0))|", "--of", "x^2 sin x"], None, False),
    (["check", "x^(10^100)", "--of", "x^2"], None, False),
    (["check", "x^x^x^x^x^x^x", "--of", "x^x^x"], None, False),
    (["check", "(x+1)^1000 - (x+1)^1000 + 2x", "--of", "x^2"], None, False),
    (["check", "2x", "--of", TOWER + " x"], None, True),
    (["network", "--layers", "1000000000"], "at most", True),
    (["network", "--layers", "0"], None, True),
    (["network", "--widths", "4096,4096,4096"], None, True),
    (["network", "--widths", "1," * 1200 + "1"], None, True),
    (["network", "--layers", "3", "--activation", "x" * 10000], None, True),
    (["network", "--layers", "3", "--param", "W9999999999[0,0]"], None, True),
    (["practice", "--count", "1000000000"], None, True),
    (["practice", "--seed", "9" * 400], None, False),
    (["practice", "--rules", "x" * 5000], None, True),
    (["--timeout", "0.5", "diff", "x^x^x^x^x", "--order", "4"], None, False),
]


@pytest.mark.slow
@pytest.mark.parametrize(("args", "expect", "refused"), EXPRESSION_CASES,
                         ids=[" ".join(a)[:60] for a, _, _ in EXPRESSION_CASES])
def test_hostile_expression(args, expect, refused) -> None:
    """A hostile expression or option ends within budget with a result or one message."""
    seconds = REFUSE_SECONDS if refused else SECONDS
    status, out, err, elapsed = run_calcgrad(*args, "--format", "plain", seconds=seconds)
    assert_ends_well(status, out, err, elapsed, seconds, expect)
    if refused:
        assert 2 == status, out[-300:]


# --- files: submissions, keys, specs, reports -------------------------------------------------


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _csv(*answers: str) -> str:
    return "student,question,answer\n" + "".join(f"s{k},q1,{a}\n" for k, a in enumerate(answers))


FILE_CASES = {
    # name: (files to write {name: text}, arguments, text expected, exit status expected)
    "spec integer of 400 digits": (
        {"spec.json": json.dumps({**SPEC, "learning_rate": int("9" * 400)})},
        ["network", "spec.json"], "400 digits", 2),
    "spec input of 400 digits": (
        {"spec.json": json.dumps({**SPEC, "input": [int("9" * 400), 1]})},
        ["network", "spec.json"], "too large", 2),
    "TOML spec nested 5,000 deep": (
        {"spec.toml": "a = " + "[" * 5000 + "]" * 5000 + "\n"}, ["network", "spec.toml"],
        "nested too deeply", 2),
    "JSON spec nested 100,000 deep": (
        {"spec.json": "[" * 100_000 + "]" * 100_000}, ["network", "spec.json"], "nested", 2),
    "spec that is not an object": ({"spec.json": "42"}, ["network", "spec.json"], "expected", 2),
    "spec with a NaN": ({"spec.json": json.dumps(SPEC).replace("0.1,", "NaN,", 1)},
                        ["network", "spec.json"], None, 2),
    "spec with huge exponent float": ({"spec.json": json.dumps(SPEC).replace("0.1,", "1e400,", 1)},
                                      ["network", "spec.json"], None, 2),
    "spec with layers of a billion": (
        {"spec.json": json.dumps({**SPEC, "layers": [2, 1_000_000_000, 1]})},
        ["network", "spec.json"], None, 2),
    "spec that is binary": ({"spec.json": "\udcff"}, ["network", "spec.json"], None, 2),
    "key nested 5,000 deep": ({"key.toml": "a = " + "[" * 5000 + "]" * 5000 + "\n",
                               "s.csv": _csv("2x")}, ["grade", "s.csv", "--key", "key.toml"],
                              None, 2),
    "key with an injection": ({"key.toml": '[q1]\nexpression = "__import__(\'os\')"\n',
                               "s.csv": _csv("2x")}, ["grade", "s.csv", "--key", "key.toml"],
                              "cannot read its expression", 2),
    "key order of 400 digits": ({"key.toml": KEY + "order = " + "9" * 400 + "\n",
                                 "s.csv": _csv("2x")}, ["grade", "s.csv", "--key", "key.toml"],
                                None, 2),
    "answers that sink a batch": (
        {"key.toml": KEY, "s.csv": _csv("2x sin x + x^2 cos x", "|softplus(log(0))|",
                                        "2x sin x + x^2 cos x + sqrt(-1) e^e^e^e^3")},
        ["grade", "s.csv", "--key", "key.toml", "--timeout", "1", "--out", "r.json"], "wrote 3 rows", 0),
    "an unclosed quote": (
        {"key.toml": KEY, "s.csv": "student,question,answer\na,q1,\"2x sin x\n"
                                   + "".join(f"s{k},q1,2x sin x + x^2 cos x\n" for k in range(9))},
        ["grade", "s.csv", "--key", "key.toml", "--out", "r.json"], "wrote 10 rows", 0),
    "blank lines": ({"key.toml": KEY, "s.csv": "student,question,answer\n\na,q1,2x\n\n\nb,q1,x\n"},
                    ["grade", "s.csv", "--key", "key.toml", "--out", "r.json"], "wrote 5 rows", 0),
    "only a header": ({"key.toml": KEY, "s.csv": "student,question,answer\n"},
                      ["grade", "s.csv", "--key", "key.toml"], None, 0),
    "an empty file": ({"key.toml": KEY, "s.csv": ""}, ["grade", "s.csv", "--key", "key.toml"],
                      "empty", 2),
    "a row of a million characters": (
        {"key.toml": KEY, "s.csv": "student,question,answer\na,q1," + "x+" * 500_000 + "x\n"},
        ["grade", "s.csv", "--key", "key.toml", "--out", "r.json"], "wrote 1 rows", 0),
    "a student named <script>": (
        {"key.toml": KEY, "s.csv": "student,question,answer\n<script>alert(1)</script>,q1,2x\n"},
        ["grade", "s.csv", "--key", "key.toml", "--format", "markdown"], "&lt;script&gt;", 0),
    "a formula in a cell": (
        {"key.toml": KEY, "s.csv": "student,question,answer\n=HYPERLINK(1),q1,=1+1\n"},
        ["grade", "s.csv", "--key", "key.toml", "--out", "r.csv"], "wrote 1 rows", 0),
    "--out into a missing folder": ({"key.toml": KEY, "s.csv": _csv("2x")},
                                    ["grade", "s.csv", "--key", "key.toml", "--out", "nodir/r.json"],
                                    "does not exist", 2),
    "--out over the submissions": ({"key.toml": KEY, "s.csv": _csv("2x")},
                                   ["grade", "s.csv", "--key", "key.toml", "--out", "s.csv"],
                                   "refusing to overwrite", 2),
    "--out that is a folder": ({"key.toml": KEY, "s.csv": _csv("2x"), "d.json/x": ""},
                               ["grade", "s.csv", "--key", "key.toml", "--out", "d.json"], "directory", 2),
    "/dev/zero as submissions": ({"key.toml": KEY}, ["grade", "/dev/zero", "--key", "key.toml"],
                                 "not a regular file", 2),
    "/dev/zero as key": ({"s.csv": _csv("2x")}, ["grade", "s.csv", "--key", "/dev/zero"],
                         "not a regular file", 2),
    "/dev/zero as spec": ({}, ["network", "/dev/zero"], "not a regular file", 2),
    "a FIFO as submissions": ({"key.toml": KEY, "fifo": None}, ["grade", "fifo", "--key", "key.toml"],
                              "not a regular file", 2),
    "a FIFO as spec": ({"fifo": None}, ["network", "fifo"], "not a regular file", 2),
    "a FIFO as worked solution": ({"fifo": None}, ["check", "--of", "x^2", "--steps", "fifo"],
                                  "not a regular file", 2),
    "/dev/zero as worked solution": ({}, ["check", "--of", "x^2", "--steps", "/dev/zero"],
                                     "not a regular file", 2),
    "a worked solution of 10,000 lines": ({"sol.txt": "2x\n" * 10_000},
                                          ["check", "--of", "x^2", "--steps", "sol.txt"], None, 2),
    "--jobs 40 on this machine": (
        {"key.toml": KEY, "s.csv": _csv(*(["2x sin x + x^2 cos x", "2x sin x"] * 110))},
        ["grade", "s.csv", "--key", "key.toml", "--jobs", "40", "--out", "r.json"], "wrote 220 rows", 0),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FILE_CASES))
def test_hostile_file(name: str, tmp_path: Path) -> None:
    """A hostile file, folder or report path ends within budget with a report or one message."""
    files, args, expect, status_expected = FILE_CASES[name]
    for file_name, text in files.items():
        path = tmp_path / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            os.mkfifo(path)
        else:
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
    status, out, err, elapsed = run_calcgrad(*args, cwd=tmp_path, seconds=SECONDS * 2)
    assert_ends_well(status, out, err, elapsed, SECONDS * 2, expect)
    assert status_expected == status, err[-400:]
    if "--out" in args and status == 0:
        written = (tmp_path / args[args.index("--out") + 1]).read_text(encoding="utf-8")
        lines = files["s.csv"].splitlines()
        if written.startswith("{"):
            assert len(lines) - 1 == len(json.loads(written)["rows"])  # rows in = rows out
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_previous_report_survives_a_failed_write(tmp_path: Path, monkeypatch) -> None:
    """A write that fails half-way leaves the previous report as it was (quick)."""
    from calcgrad import files

    report = _write(tmp_path, "report.json", '{"rows": []}\n')

    def failing_fsync(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        files.write_atomically(report, "{" + "x" * 10_000)
    assert '{"rows": []}\n' == report.read_text()
    assert ["report.json"] == [p.name for p in tmp_path.iterdir()]


# --- a batch no row can sink --------------------------------------------------------------------

BATCH_KEY = KEY


@pytest.mark.slow
def test_every_other_row_is_graded_when_workers_hang_crash_or_blow_up(monkeypatch) -> None:
    """In worker processes, a row that hangs in C, loops, eats memory or kills its worker is
    marked with the reason; every other row is graded."""
    import calcgrad.grading.checking
    from calcgrad import limits
    from calcgrad.grading.batch import grade

    monkeypatch.setattr(calcgrad.grading.checking, "check",
                        sabotaged_check(calcgrad.grading.checking.check))
    monkeypatch.setattr(limits, "PARALLEL_ROWS", 4)
    monkeypatch.setattr(limits, "WORKER_MEMORY_BYTES", 1_500_000_000)
    bad = ["hang in C", "hang in Python", "eat memory", "crash"]
    good = ["2x sin x + x^2 cos x"] * 6
    started = time.monotonic()
    report = grade(_csv(*(bad + good)), BATCH_KEY, jobs=2, seconds=1.0)
    elapsed = time.monotonic() - started
    assert elapsed < 60, elapsed
    verdicts = [row.verdict for row in report.rows]
    assert ["undetermined", "undetermined", "error", "error"] + ["correct"] * 6 == verdicts
    assert "memory" in report.rows[2].error
    assert "worker process ended" in report.rows[3].error


@pytest.mark.slow
def test_grade_in_a_thread_ends_at_its_deadline(monkeypatch) -> None:
    """grade() called from a worker thread (as a web server would) stops a looping answer."""
    import threading

    import calcgrad.grading.checking
    from calcgrad.grading.batch import grade

    monkeypatch.setattr(calcgrad.grading.checking, "check",
                        sabotaged_check(calcgrad.grading.checking.check))
    result = {}

    def work():
        result["report"] = grade(_csv("hang in Python", "2x sin x + x^2 cos x"), BATCH_KEY,
                                 jobs=1, seconds=0.5)

    worker = threading.Thread(target=work)
    started = time.monotonic()
    worker.start()
    worker.join(30)
    assert not worker.is_alive() and time.monotonic() - started < 10
    assert ["undetermined", "correct"] == [row.verdict for row in result["report"].rows]


@pytest.mark.slow
def test_sigterm_stops_the_workers(tmp_path: Path) -> None:
    """SIGTERM to `grade --jobs 2` ends the parent and its workers within seconds."""
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        import calcgrad.grading.checking
        from calcgrad import limits
        def slow(answer, **kwargs):
            while True:
                pass
        calcgrad.grading.checking.check = slow
        limits.PARALLEL_ROWS = 2
        from calcgrad.cli import main
        main(["grade", "s.csv", "--key", "key.toml", "--jobs", "2", "--timeout", "100"])
    """)
    _write(tmp_path, "key.toml", KEY)
    _write(tmp_path, "s.csv", _csv(*[f"{k}x" for k in range(2, 12)]))  # distinct: each is checked
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    children = _children(parent.pid)
    assert children, "the workers did not start"
    parent.send_signal(signal.SIGTERM)
    parent.wait(timeout=20)
    time.sleep(1)
    assert [] == [pid for pid in children if _alive(pid)]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# --- quick ones (in-process, not in the slow tier) ----------------------------------------------

QUICK_CASES = [
    (["diff", "x + e^e^e^e^3"], "too large"),
    (["diff", "x^(10^100)", "--at", "x=2"], "digits"),
    (["diff", "x^x^x^x^x", "--order", "5"], "too large to show"),
    (["first-principles", "x^(10^100)"], "too high"),
    (["network", "--layers", "1000000000"], "at most 1000 layers"),
]


@pytest.mark.parametrize(("args", "expect"), QUICK_CASES, ids=[" ".join(a) for a, _ in QUICK_CASES])
def test_quick_refusals(args, expect) -> None:
    """The issue's own examples: refused at once with one message and exit status 2."""
    started = time.monotonic()
    result = CliRunner().invoke(main, [*args, "--format", "plain"])
    assert time.monotonic() - started < REFUSE_SECONDS
    assert 2 == result.exit_code, result.output
    assert expect in result.output


def test_step_times_x_descends_to_the_jump() -> None:
    """x·step(x − 1) (an internal error once): step′ = 0 away from 1, so descent walks down to 1."""
    result = CliRunner().invoke(main, ["descend", "step(x - 1) x", "--start", "x=2", "--lr", "0.25",
                                       "--format", "json"])
    assert 0 == result.exit_code, result.output
    assert [1.0] == json.loads(result.output)["trace"][-1]["point"]


@pytest.mark.parametrize("text", ["x\x00y", "\ud800", "x\ud800^2", "\x1b[31mx", "x" * 10_001])
def test_unprintable_text_is_a_parse_error(text: str) -> None:
    """Control characters, lone surrogates and over-long text are calcgrad's own errors."""
    import calcgrad

    with pytest.raises(calcgrad.CalcgradError):
        calcgrad.diff(text, timeout=5)


def test_library_failure_on_input_is_an_input_error() -> None:
    """A SymPy failure while building the answer becomes InputError (exit 2), not a crash."""
    import calcgrad

    with pytest.raises(calcgrad.InputError, match="cannot work with this input"):
        calcgrad.check("|softplus(log(0))|", of="x^2 sin x")
