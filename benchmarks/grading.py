"""Batch grading: rows per second over 1, 2 and 4 local workers and on a Dask LocalCluster, and
what sharing one check between equal answers saves, all on one generated batch in the same run.

Run: python benchmarks/grading.py [ROWS]   (default 10,000 rows; needs calcgrad[dask] for the
cluster line). Each configuration runs in a fresh process, as `calcgrad grade` would, so none
warms the caches of another; only grade() is timed (not Python's start-up or the cluster's). The batch is shaped like a real class's: five questions, each answered mostly
with a handful of common right and wrong answers (in a few spellings), a long tail of one-off
wrong answers, some unreadable answers and some blanks, from a fixed seed. Every run grades
the same batch and must give the same report (checked, byte for byte, as JSON: a digest).

`jobs` is capped at the machine's cores (see grading.batch.cores); the 4-worker line lifts the
cap for the measurement, so on a 2-core machine it shows what oversubscribing costs. The
LocalCluster has two worker processes of one thread; each Dask task starts a Python process
for its chunk of answers (see grading.executors), which is the start-up this line pays.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import subprocess
import sys
import time

from calcgrad.grading import batch

KEY = """
[q1]
expression = "x^2 sin x"

[q2]
expression = "sin(x^2)"

[q3]
expression = "ln(x^2 + 1)"

[q4]
expression = "e^(3x) cos x"

[q5]
expression = "sqrt(1 - e^x)"
"""

COMMON = {  # per question: (answer, weight); right answers in several spellings, common slips
    "q1": [("2x sin x + x^2 cos x", 30), ("x^2 cos x + 2x sin x", 12), ("2x sin(x) + x^2 cos(x)", 8),
           ("x(2 sin x + x cos x)", 3), ("2x cos x", 10), ("2x sin x", 5), ("2x sin x - x^2 cos x", 5),
           ("2x sin x + x^2 cos x + C", 2)],
    "q2": [("2x cos(x^2)", 35), ("cos(x^2) 2x", 8), ("2x cos(x^2)", 4), ("cos(x^2)", 15),
           ("2x cos(x)", 5), ("-2x cos(x^2)", 4), ("cos(2x)", 3)],
    "q3": [("2x/(x^2 + 1)", 35), ("2x/(x^2+1)", 10), ("1/(x^2 + 1)", 15), ("2x/(x^2)", 3),
           ("2x ln(x^2 + 1)", 2), ("(2x)/(1 + x^2)", 5)],
    "q4": [("3e^(3x) cos x - e^(3x) sin x", 25), ("e^(3x)(3 cos x - sin x)", 10),
           ("3e^(3x) cos x + e^(3x) sin x", 12), ("e^(3x) cos x - e^(3x) sin x", 8),
           ("-3e^(3x) sin x", 4)],
    "q5": [("-e^x/(2 sqrt(1 - e^x))", 25), ("e^x/(2 sqrt(1 - e^x))", 12), ("1/(2 sqrt(1 - e^x))", 8),
           ("-e^x/(2sqrt(1-e^x))", 6), ("-e^x / (2 sqrt(1 - e^x))", 4)],
}
TAIL = {  # one-off wrong answers: a formula with a random coefficient
    "q1": "{k}x sin x + x^2 cos x", "q2": "{k}x cos(x^2)", "q3": "{k}x/(x^2 + 1)",
    "q4": "{k}e^(3x) cos x - e^(3x) sin x", "q5": "-{k}e^x/(2 sqrt(1 - e^x))",
}
UNREADABLE = ["2x cos(x^2", "x^2 +", "sin x^^2", "2x sin x + x^2 cos x)", "d/dx sin", "sine(x)"]
BLANK = ["", "idk", "?"]


def make_batch(rows: int, seed: int = 2026) -> str:
    """CSV text of `rows` submissions: students answer q1…q5 in turn."""
    rng = random.Random(seed)
    lines = ["student,question,answer"]
    for i in range(rows):
        question = f"q{i % 5 + 1}"
        roll = rng.random()
        if roll < 0.75:
            answers, weights = zip(*COMMON[question])
            answer = rng.choices(answers, weights)[0]
        elif roll < 0.90:
            answer = TAIL[question].format(k=rng.randint(3, 2000))
        elif roll < 0.95:
            answer = rng.choice(UNREADABLE)
        else:
            answer = rng.choice(BLANK)
        lines.append(f"s{i // 5 + 1:05d},{question},\"{answer}\"")
    return "\n".join(lines) + "\n"


CONFIGURATIONS = {  # label → grade() options; "dask" means a LocalCluster started for the run
    "local, 1 worker": dict(jobs=1),
    "local, 2 workers": dict(jobs=2),
    "local, 4 workers": dict(jobs=4),
    "Dask LocalCluster, 2 workers x 1 thread": dict(scheduler="dask"),
    "local, 1 worker, no sharing": dict(jobs=1, share=False),
    "local, 2 workers, no sharing": dict(jobs=2, share=False),
}


def measure(label: str, rows: int) -> None:
    """One configuration, in this fresh process (so no run warms SymPy's or calcgrad's caches
    for another): print the seconds grade() took and a digest of its JSON report."""
    text, options = make_batch(rows), dict(CONFIGURATIONS[label])
    key = batch.read_key(KEY)
    if options.get("jobs") == 4:
        batch.cores = lambda: 4  # lift the cap on --jobs (one per core) for this measurement
    cluster = None
    if options.get("scheduler") == "dask":
        from distributed import LocalCluster  # lazy: start-up speed (the optional Dask extra)

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None)
        options["scheduler"] = cluster.scheduler_address
    try:
        started = time.perf_counter()
        report = batch.grade(text, key, **options)
        seconds = time.perf_counter() - started
    finally:
        if cluster is not None:
            cluster.close()
    digest = hashlib.sha256(report.render("json").encode()).hexdigest()
    print(json.dumps({"seconds": seconds, "report": digest}))


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    submissions = batch.read_submissions(make_batch(rows))
    distinct = len({(row.question, row.answer) for row in submissions if row.answer})
    print(f"{rows} rows, {distinct} distinct (question, answer) pairs; machine cores: "
          f"{batch.cores()}; each line in a fresh process")
    results = {}
    for label in CONFIGURATIONS:
        if "Dask" in label and importlib.util.find_spec("distributed") is None:
            print('(no Dask: pip install "calcgrad[dask]" for the LocalCluster line)')
            continue
        run = subprocess.run([sys.executable, __file__, "--measure", label, str(rows)],
                             capture_output=True, text=True, check=True)
        results[label] = json.loads(run.stdout.strip().splitlines()[-1])
    reference, base = results["local, 1 worker"]["report"], results["local, 1 worker"]["seconds"]
    print(f"{'backend':42} {'seconds':>8} {'rows/s':>8} {'vs 1 worker':>12}  same report")
    for label, result in results.items():
        seconds = result["seconds"]
        print(f"{label:42} {seconds:8.1f} {rows / seconds:8.0f} {base / seconds:11.2f}x  "
              f"{'yes' if result['report'] == reference else 'NO'}")
    for workers in ("1 worker", "2 workers"):
        shared, alone = results[f"local, {workers}"], results[f"local, {workers}, no sharing"]
        print(f"sharing one check per distinct answer, {workers}: "
              f"{alone['seconds'] / shared['seconds']:.1f}x faster ({rows} rows checked as "
              f"{distinct} answers)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2], int(sys.argv[3]))
    else:
        main()
