"""The benchmark's report: the table of both sizes against the targets of issue 8, the reminder
sweep's figures, and docs/benchmarks.md (`python -m pplearn.perf.bench report`)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import textwrap
import time

# Targets of issue 8.
MAX_RATIO_SIZES = 1.3
MAX_RATIO_FLOOR = {"page": 4.0, "dashboard": 8.0}
MAX_QUERIES = 15
SWEEP_MAX_SECONDS = 60
SWEEP_MAX_MB = 300


def _fmt(value, unit: str = "") -> str:
    return "-" if value is None else f"{value}{unit}"


def _ratio(a, b) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def table(small: dict, large: dict) -> tuple[str, list[str]]:
    """The markdown table of both sizes, and the list of missed targets."""
    # The floor of each page: the one timed in the same iterations (`paired`), else the
    # floor's own row.
    floor_large = next(r["p50_ms"] for r in large["pages"] if r["kind"] == "floor")
    by_name = {r["name"]: r for r in small["pages"]}
    header = (
        "| page | queries small | queries large | p50 small | p50 large | large/small "
        "| p50 floor large | large/floor | p95 small | p95 large | targets |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
    )
    lines, failures = [], []
    for big in large["pages"]:
        little = by_name.get(big["name"], {})
        if big["p50_ms"] is None or little.get("p50_ms") is None:
            note = big["note"] or little.get("note")
            lines.append(f"| {big['name']} | {note} | | | | | | | | | |")
            continue
        ratio = _ratio(big["p50_ms"], little["p50_ms"])
        floor = big.get("floor_p50_ms") or floor_large
        floor_ratio = _ratio(big["p50_ms"], floor)
        missed = []
        if big["queries"] != little["queries"]:
            missed.append("queries differ")
        if big["queries"] > MAX_QUERIES:
            missed.append(f"queries > {MAX_QUERIES}")
        if ratio is not None and ratio > MAX_RATIO_SIZES:
            missed.append(f"large/small > {MAX_RATIO_SIZES}")
        limit = MAX_RATIO_FLOOR.get(big["kind"])
        if limit and floor_ratio is not None and floor_ratio > limit:
            missed.append(f"large/floor > {limit:g}")
        verdict = "pass" if not missed else "FAIL: " + ", ".join(missed)
        if big["note"]:
            verdict += f" ({big['note']})"
        if missed:
            failures.append(f"{big['name']}: {', '.join(missed)}")
        lines.append(
            f"| {big['name']} | {little['queries']} | {big['queries']} | "
            f"{little['p50_ms']} ms | {big['p50_ms']} ms | {_fmt(ratio)} | {_fmt(floor, ' ms')} | "
            f"{_fmt(floor_ratio)} | "
            f"{little['p95_ms']} ms | {big['p95_ms']} ms | {verdict} |"
        )
    return header + "\n".join(lines) + "\n", failures


def sweep_lines(sweeps: list[dict]) -> tuple[str, list[str]]:
    out, failures, out_notes = [], [], []
    for s in sweeps:
        ok_time = s["seconds"] <= SWEEP_MAX_SECONDS
        ok_mem = s["process_peak_rss_mb"] <= SWEEP_MAX_MB
        verdict = "pass" if ok_time and ok_mem else "FAIL"
        if not ok_time or not ok_mem:
            failures.append(
                f"reminder sweep ({s['label']}): {s['seconds']} s, {s['process_peak_rss_mb']} MB"
            )
        out.append(
            f"| {s['label']} | {s['people']:,} | {s['seconds']} s | {s['python_peak_mb']} MB | "
            f"{s['process_peak_rss_mb']} MB | {s['batches']} | {s['queries']} | "
            f"{s['queries_per_batch']} | {s['notifications']:,} | {verdict} |"
        )
    for s in sweeps:
        slow = "; ".join(q[:90] + "..." for q in s.get("slowest_queries", []))
        if slow:
            out_notes.append(f"- slowest queries at {s['label']}: {slow}")
    header = (
        "| size | active people | wall time | Python peak (tracemalloc) | process peak RSS "
        "| batches | queries | queries per batch | notifications | targets (60 s, 300 MB) |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
    )
    notes = ("\n" + "\n".join(out_notes) + "\n") if out_notes else ""
    return header + "\n".join(out) + "\n" + notes, failures


def machine() -> dict:
    def run(cmd: list[str]) -> str:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603
            return done.stdout.strip()
        except OSError:
            return "?"

    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line.split()[1] for line in f if line.startswith("MemTotal")))
            mem = f"{kb / 2**20:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    load = run(["cat", "/proc/loadavg"])
    return {
        "nproc": run(["nproc"]),
        "cpu": cpu,
        "ram": mem,
        "postgresql": os.environ.get("BENCH_PG_VERSION", "?"),
        "python": platform.python_version(),
        "load": load,
    }


def report(small_path: str, large_path: str, sweep_paths: list[str], write: str | None) -> int:
    with open(small_path) as f:
        small = json.load(f)
    with open(large_path) as f:
        large = json.load(f)
    sweeps = []
    for path in sweep_paths:
        with open(path) as f:
            sweeps.append(json.load(f))
    pages_md, failures = table(small, large)
    sweep_md, sweep_failures = sweep_lines(sweeps)
    failures += sweep_failures
    print()
    print(
        f"Pages: small = {small['teachers']:,} teachers, large = {large['teachers']:,} "
        f"teachers; {how_measured(large)}"
    )
    print(pages_md)
    if sweeps:
        print("Reminder sweep:")
        print(sweep_md)
    print("Targets missed:" if failures else "Every target met.")
    for failure in failures:
        print(f"  - {failure}")
    if write:
        _write_doc(write, small, large, pages_md, sweep_md, failures)
        print(f"\nWritten to {write}")
    return 0


def how_measured(measured: dict) -> str:
    """How the pages were timed, for the table's heading and the document."""
    requests, warmup = measured["requests"], measured["warmup"]
    if measured.get("method") == "paired":
        return (
            f"measured in pairs, interleaved: one worker process per size, {requests} "
            f"iterations per page after {warmup} warm-up, each iteration one request of the "
            "page and one of the floor on each size in turn (which size goes first alternates "
            "every iteration, page or floor first every two); large/floor divides by the floor "
            "timed in the same iterations"
        )
    return f"{requests} timed requests per page after {warmup} warm-up, each size on its own"


def _write_doc(path, small, large, pages_md, sweep_md, failures) -> None:
    m = large["machine"]
    # make bench lists every command it ran; by hand, the commands that measured the sizes.
    commands = os.environ.get("BENCH_COMMANDS", "").strip().split("\n")
    if commands == [""]:
        commands = list(dict.fromkeys(small.get("commands", []) + large.get("commands", [])))
    missed = "\n".join(f"- {f}" for f in failures) or "- none"
    written = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    pages_text = textwrap.fill(
        f"Small: {small['teachers']:,} teachers; large: {large['teachers']:,} teachers (4 school "
        f"years each). Pages {how_measured(large)}. Times in milliseconds; queries counted on "
        "the request after each page's first (which may claim or open things); "
        '"p50 floor large" is the floor that large/floor divides by.',
        width=95,
    )
    client = (
        "one worker process per size"
        if large.get("method") == "paired"
        else "in the measuring process"
    )
    body = f"""Written by `make bench` ({written}). The targets are those of issue 8:
the same query count at both sizes and at most {MAX_QUERIES} on any page;
p50 large/small at most {MAX_RATIO_SIZES}; p50 large/floor at most 4 for teacher, coach and
coordinator pages and at most 8 for dashboards. The floor is a signed-in page that renders
the base layout and runs no queries of its own (the password change form): what every page
costs before it does anything (session, user, roles, unread count, base template).

## Machine

- nproc: {m["nproc"]}; CPU: {m["cpu"]}; RAM: {m["ram"]}
- PostgreSQL {m["postgresql"]}, Python {m["python"]}, Django test client ({client}),
  DJANGO_DEBUG=false
- load average while measuring: {m["load"]} (1, 5 and 15 minutes; runnable/total tasks; last pid)

## Pages

{pages_text}

{pages_md}
## Reminder sweep

The whole hourly sweep over every active person (rolled back afterwards), in its own process.

{sweep_md}
## Targets missed

{missed}

## Commands

```sh
{chr(10).join(commands)}
```
"""
    # Notes written by hand around the measured part are kept: only the part between the
    # markers is replaced.
    start, end = "<!-- bench:start -->", "<!-- bench:end -->"
    try:
        with open(path) as f:
            old = f.read()
    except FileNotFoundError:
        old = ""
    if start in old and end in old:
        doc = old[: old.index(start)] + start + "\n" + body + end + old[old.index(end) + len(end) :]
    else:
        doc = f"# Benchmarks\n\n{start}\n{body}{end}\n"
    with open(path, "w") as f:
        f.write(doc)
