"""Scoring speed and memory against the floor: sqlite3 computing the same Brier aggregates.

    .venv/bin/python benchmarks/score_bench.py [--claims 100000 --forecasts 1000000
        --reviewers 200 --evidence 500000 --runs 5]

Builds (or reuses) a synthetic database, times `tracker score --by reviewer --json` and
`tracker report --format json` as separate processes, times one SQL query in the sqlite3
module computing per-reviewer final and time-averaged Brier and coverage (the floor), and
prints the figures and ratios. The floor and the commands run in turn, round after round, so
a busy neighbour slows them alike; every time is the fastest of its runs (5 by default), the
floor's included; peak memory comes from the OS. It also runs `score` on a database with a
quarter of the forecasts, to show whether peak memory grows with the number of forecasts.
(Each forecaster's tally buffers up to 256 scores before folding them into exact sums; with
200 reviewers those buffers fill up between the two sizes, a few MiB that stop growing once
full: with the buffers cut to 16 the two peaks are within 2 MiB of each other.)
Targets: each command within 2x of the floor; memory flat in the number of forecasts.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import build

FLOOR_SQL = """
WITH latest AS (
    SELECT claim_id, max(version) AS version FROM (
        SELECT claim_id, version FROM status_changes
        UNION ALL SELECT claim_id, version FROM resolutions
    ) GROUP BY claim_id
), resolved AS (
    SELECT r.claim_id, r.value AS o,
           julianday(coalesce(r.observed_on, r.recorded_at)) AS t_end,
           min(julianday(c.made_on), julianday(coalesce(r.observed_on, r.recorded_at)))
               AS t_open
    FROM resolutions r
    JOIN latest l ON l.claim_id = r.claim_id AND l.version = r.version
    JOIN claims c ON c.id = r.claim_id
    WHERE r.outcome != 'annulled'
), spans AS (
    SELECT f.reviewer_id, f.claim_id, q.o, q.t_end, q.t_open, f.probability AS p,
           max(julianday(f.made_at), q.t_open) AS t_start,
           lead(max(julianday(f.made_at), q.t_open))
               OVER (PARTITION BY f.claim_id, f.reviewer_id ORDER BY f.made_at) AS t_next,
           row_number()
               OVER (PARTITION BY f.claim_id, f.reviewer_id ORDER BY f.made_at DESC) AS rank
    FROM forecasts f JOIN resolved q ON q.claim_id = f.claim_id
    WHERE julianday(f.made_at) < q.t_end
), per_claim AS (
    SELECT reviewer_id,
           max(CASE WHEN rank = 1 THEN (p - o) * (p - o) END) AS final_brier,
           sum((p - o) * (p - o) * (coalesce(t_next, t_end) - t_start))
               / max(max(t_end) - min(t_start), 1e-9) AS time_averaged_brier,
           (max(t_end) - min(t_start)) / max(max(t_end) - max(t_open), 1e-9) AS coverage
    FROM spans GROUP BY reviewer_id, claim_id
)
SELECT reviewer_id, count(*), avg(final_brier), avg(time_averaged_brier), avg(coverage)
FROM per_claim GROUP BY reviewer_id ORDER BY reviewer_id
"""


DATA_VERSION = "v3"
"""Part of the database's file name: a change to `synthetic.build` bumps it, so an older file
in the same folder is not reused."""


RUNS = 5
"""Every time printed is the fastest of this many runs, the floor's and the commands' alike:
on a shared machine the slower runs measure the neighbours."""


def run_once(args: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of one run of a child process."""
    started = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed with {status}")
    return elapsed, usage.ru_maxrss / 1024


def floor_once(path: Path) -> tuple[float, int]:
    """Seconds for the floor query in a fresh connection, and how many groups it gave."""
    connection = sqlite3.connect(path)
    started = time.perf_counter()
    rows = connection.execute(FLOOR_SQL).fetchall()
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed, len(rows)


def measure_in_turn(path: Path, commands: dict[str, list[str]], runs: int
                    ) -> tuple[float, int, dict[str, tuple[float, float]]]:
    """The floor and each command once per round, `runs` rounds (after one round that reads
    the file into the page cache, which would flatter whatever ran after it): the fastest
    time of each, and each command's largest peak memory."""
    floor_once(path)
    floors: list[float] = []
    groups = 0
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        seconds, groups = floor_once(path)
        floors.append(seconds)
        for name, args in commands.items():
            seconds, peak = run_once(args)
            times[name].append(seconds)
            peaks[name].append(peak)
    return min(floors), groups, {name: (min(times[name]), max(peaks[name]))
                                 for name in commands}


def database(directory: Path, claims: int, forecasts: int, reviewers: int, evidence: int
             ) -> Path:
    path = directory / f"bench-{DATA_VERSION}-{claims}-{forecasts}-{reviewers}-{evidence}.db"
    if not path.exists():
        # In a fresh process: Linux carries a process's peak RSS across fork and exec, so a
        # parent grown by the build would show as every measured child's peak memory.
        builder = multiprocessing.get_context("spawn").Process(
            target=build, args=(path, claims, forecasts, reviewers, evidence))
        builder.start()
        builder.join()
        if builder.exitcode != 0:
            raise SystemExit(f"building {path} failed")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--forecasts", type=int, default=1_000_000)
    parser.add_argument("--reviewers", type=int, default=200)
    parser.add_argument("--evidence", type=int, default=500_000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--runs", type=int, default=RUNS)
    options = parser.parse_args()
    tracker = str(Path(sys.executable).parent / "tracker")
    path = database(options.dir, options.claims, options.forecasts, options.reviewers,
                    options.evidence)
    small = database(options.dir, options.claims, options.forecasts // 4, options.reviewers,
                     options.evidence)
    url = f"sqlite:///{path}"
    # A real file, written over on each run: a report is never written into a device.
    with tempfile.TemporaryDirectory(prefix="score-bench-") as folder:
        report = Path(folder) / "report.json"
        floor_seconds, groups, results = measure_in_turn(path, {
            "score --by reviewer": [tracker, "--db", url, "score", "--by", "reviewer", "--json"],
            "report --format json": [tracker, "--db", url, "report", "--format", "json",
                                     "-o", str(report)],
        }, options.runs)
    print(f"database: {options.claims} claims, {options.forecasts} forecasts, "
          f"{options.reviewers} reviewers, {options.evidence} evidence entries")
    print(f"floor (sqlite3, one query, {groups} reviewers): {floor_seconds:8.2f} s "
          f"(fastest of {options.runs}, taken in turn with the commands)")
    for name, (seconds, memory) in results.items():
        print(f"{name:<22} {seconds:8.2f} s  {seconds / floor_seconds:5.2f}x floor  "
              f"peak {memory:7.1f} MiB")
    small_runs = [run_once([tracker, "--db", f"sqlite:///{small}", "score", "--by", "reviewer",
                            "--json"]) for _ in range(options.runs)]
    small_seconds = min(seconds for seconds, _ in small_runs)
    small_memory = max(peak for _, peak in small_runs)
    big_memory = results["score --by reviewer"][1]
    print(f"score at {options.forecasts // 4} forecasts: {small_seconds:.2f} s, peak "
          f"{small_memory:.1f} MiB; at {options.forecasts}: peak {big_memory:.1f} MiB "
          f"(ratio {big_memory / small_memory:.2f}; 1.00 = flat)")


if __name__ == "__main__":
    main()
