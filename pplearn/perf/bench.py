"""The page benchmark: time and query count of each key page on a generated district (the
report and its targets are in bench_report).

    python -m pplearn.perf.bench paired --small-url URL --large-url URL \
        --out-small small.json --out-large large.json
    python -m pplearn.perf.bench measure --label small --out small.json   # one size, by hand
    python -m pplearn.perf.bench sweep --label large --out sweep-large.json
    python -m pplearn.perf.bench report small.json large.json [sweep...] --write docs/...

Pages are opened through Django's test client as a generated person of the right role (the
sessions are real rows, the middleware and templates the production ones) and timed after a
warm-up. `paired` runs one worker process per size (`serve`, on its own DATABASE_URL) and
times the sizes request by request in turns, each page with the floor beside it, so that the
machine's drift falls on both sizes and on the floor alike; `measure` times one size in this
process. Run it with DJANGO_DEBUG=false; scripts/bench.sh does it all.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import asdict, dataclass, field

from .bench_report import machine, report

# A page slower than this budget allows is timed on fewer requests (never under MIN_REQUESTS).
PAGE_BUDGET_SECONDS = float(os.environ.get("BENCH_PAGE_BUDGET", 90))
MIN_REQUESTS = 10


@dataclass
class PageResult:
    name: str
    kind: str  # page, dashboard or floor
    url: str
    status: int | None
    queries: int | None
    p50_ms: float | None
    p95_ms: float | None
    note: str = ""
    times_ms: list = field(default_factory=list)
    # `paired`: the floor timed in the same iterations as this page, on the same size.
    floor_times_ms: list = field(default_factory=list)
    floor_p50_ms: float | None = None


@dataclass
class Page:
    name: str
    kind: str
    user: object
    url_name: str
    args: tuple = ()
    query: str = ""


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pplearn.settings")
    import django

    django.setup()


def personas(district=None) -> dict:
    """The people and objects each page is opened with: the same choice at every size."""
    from coaching.models import CoachAssignment
    from evidence.models import Submission
    from goals.models import Goal
    from pplearn.models import District, Membership, Role, SchoolYear

    district = district or District.objects.order_by("pk").first()
    year = SchoolYear.objects.get(district=district, is_current=True)
    draft = (
        Submission.objects.filter(
            status=Submission.Status.DRAFT,
            tier__gte=2,
            goal__status=Goal.Status.APPROVED,
            goal__school_year=year,
            goal__teacher__is_active=True,
        )
        .select_related("goal", "goal__teacher")
        # The lowest tier first: each size opens the same tier's form (Tier 3's has a table).
        .order_by("tier", "pk")
        .first()
    )
    coordinator = (
        Membership.objects.filter(district=district, role=Role.COORDINATOR, school=None)
        .order_by("user_id")
        .first()
        .user
    )
    school = draft.goal.school
    principal = Membership.objects.filter(school=school, role=Role.PRINCIPAL).first().user
    coach = (
        CoachAssignment.objects.filter(school_year=year, school=school).order_by("pk").first().coach
    )
    admin = Membership.objects.filter(district=district, role=Role.DISTRICT_ADMIN).first().user
    waiting = (
        Submission.objects.filter(
            status=Submission.Status.SUBMITTED,
            goal__school__district=district,
            claim__isnull=True,
        )
        # A first version of the lowest tier, the oldest: each size scores the same kind of
        # item (a resubmission shows its previous version too: one query more), and opening it
        # claims it, so a run on a kept database takes the next such item.
        .order_by("version", "tier", "submitted_at", "pk")
        .first()
    )
    # A finished practice not yet shared: its teacher opens the library's publish form.
    finished = (
        Submission.objects.filter(
            tier=4,
            status=Submission.Status.PASSED,
            goal__school__district=district,
            goal__teacher__is_active=True,
            goal__library_entry__isnull=True,
        )
        .select_related("goal", "goal__teacher")
        .order_by("pk")
        .first()
    )
    return {
        "teacher": draft.goal.teacher,
        "finished": finished.goal,
        "goal": draft.goal,
        "draft": draft,
        "school": school,
        "coordinator": coordinator,
        "principal": principal,
        "coach": coach,
        "admin": admin,
        "waiting": waiting,
    }


def pages(p: dict) -> list[Page]:
    teacher, coordinator = p["teacher"], p["coordinator"]
    return [
        Page("floor: password change (base layout)", "floor", teacher, "password_change"),
        Page("teacher home", "page", teacher, "home"),
        Page("goal page", "page", teacher, "goals:goal_detail", (p["goal"].pk,)),
        Page("tier submission form", "page", teacher, "evidence:submission_edit", (p["draft"].pk,)),
        Page("review queue", "page", coordinator, "evidence:review_queue"),
        Page(
            "review queue, filtered",
            "page",
            coordinator,
            "evidence:review_queue",
            query=f"school={p['school'].pk}&tier=2",
        ),
        Page("scoring page", "page", coordinator, "evidence:review_score", (p["waiting"].pk,)),
        Page("coach caseload", "page", p["coach"], "coaching:caseload"),
        Page(
            "principal: school dashboard",
            "dashboard",
            p["principal"],
            "dashboards:school",
            (p["school"].pk,),
        ),
        Page("district dashboard", "dashboard", p["admin"], "dashboards:district"),
        Page("library search", "page", teacher, "library:list", query="q=feedback"),
        Page("growth record", "page", teacher, "dashboards:growth"),
        Page(
            "library: share a finished practice",
            "page",
            p["finished"].teacher,
            "library:publish",
            (p["finished"].pk,),
        ),
    ]


# Opening and timing pages ---------------------------------------------------------------------
#
# `measure` (one size, in this process) and `paired` (both sizes, one `serve` worker process
# each) run the same loop, `time_pages`, over "workers" that open and time pages by name: a
# `PageOpener` here, or a `Worker` that asks a `PageOpener` in another process.


class PageOpener:
    """The bench's pages opened as their person, on this process's database.

    One signed-in test client per person; `open` makes the page's first request (it may claim
    or open things) and counts the queries of the next one; `time` times one request.
    """

    def __init__(self, label: str = "") -> None:
        from pplearn.models import Membership, Role

        logging.getLogger("axes").setLevel(logging.WARNING)
        self.label = label
        self._pages = {page.name: page for page in pages(personas())}
        self._opened: dict[str, tuple[object, str]] = {}
        self._clients: dict[int, object] = {}
        self.hello = {
            "teachers": Membership.objects.filter(role=Role.TEACHER).count(),
            "pages": [[page.name, page.kind] for page in self._pages.values()],
        }

    def open(self, name: str) -> dict:
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext
        from django.urls import NoReverseMatch, reverse

        page = self._pages[name]
        try:
            url = reverse(page.url_name, args=page.args)
        except NoReverseMatch:
            return asdict(
                PageResult(name, page.kind, page.url_name, None, None, None, None, "not built")
            )
        if page.query:
            url = f"{url}?{page.query}"
        client = self._clients.get(page.user.pk)
        if client is None:
            client = self._clients[page.user.pk] = Client(HTTP_HOST="127.0.0.1")
            client.force_login(page.user)
        first = client.get(url)
        if first.status_code != 200:
            note = "not built" if first.status_code == 404 else f"HTTP {first.status_code}"
            return asdict(
                PageResult(name, page.kind, url, first.status_code, None, None, None, note)
            )
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        # Read now: every request clears the connection's query log as it starts.
        queries = len(captured.captured_queries)
        self._opened[name] = (client, url)
        return asdict(PageResult(name, page.kind, url, 200, queries, None, None))

    def time(self, name: str) -> tuple[float, int]:
        """One request of an opened page: milliseconds around client.get, and its status."""
        client, url = self._opened[name]
        begun = time.perf_counter()
        response = client.get(url)
        return (time.perf_counter() - begun) * 1000, response.status_code


class Worker:
    """A `serve` process on one database, asked in JSON lines over its stdin and stdout."""

    def __init__(self, label: str, database_url: str) -> None:
        self.label = label
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self._process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "pplearn.perf.bench", "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=root,
            env=dict(os.environ, DATABASE_URL=database_url),
        )
        self.hello = self._reply()

    def _reply(self) -> dict:
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.label} worker stopped (exit {self._process.wait()})")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"the {self.label} worker: {reply['error']}")
        return reply

    def _ask(self, op: str, name: str) -> dict:
        self._process.stdin.write(json.dumps({"op": op, "page": name}) + "\n")
        self._process.stdin.flush()
        return self._reply()

    def open(self, name: str) -> dict:
        return self._ask("open", name)

    def time(self, name: str) -> tuple[float, int]:
        reply = self._ask("time", name)
        return reply["ms"], reply["status"]

    def close(self) -> None:
        """The worker stops at the end of its input (killed if it does not within a minute)."""
        with contextlib.suppress(BrokenPipeError):  # it has stopped already
            self._process.stdin.close()
        try:
            self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process.stdout.close()


def serve() -> int:
    """The worker of `paired`: answers one JSON line with one JSON line, on the original stdout.

    Anything else the process prints (Django, logging, print) goes to stderr, off the channel.
    """
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    _setup()
    opener = PageOpener()
    replies.write(json.dumps(opener.hello) + "\n")
    for line in sys.stdin:
        message = json.loads(line)
        try:
            if message["op"] == "open":
                reply = opener.open(message["page"])
            elif message["op"] == "time":
                ms, status = opener.time(message["page"])
                reply = {"ms": ms, "status": status}
            else:
                reply = {"error": f"unknown op {message['op']!r}"}
        except Exception as error:  # noqa: BLE001 - told to the parent, which stops
            reply = {"error": f"{type(error).__name__}: {error}"}
        replies.write(json.dumps(reply) + "\n")
    return 0


def _timed(workers, names: list[str], requests: int, warmup: int, clock=time.perf_counter):
    """Warm-up, then `requests` iterations of one request of each page on each worker.

    Each iteration the workers take turns page by page (page on small, page on large, floor on
    small, floor on large), and which worker goes first alternates every iteration and which
    page every two, so a change in the machine's speed falls on every size and page alike.
    A page slower than PAGE_BUDGET_SECONDS stops early (never under MIN_REQUESTS iterations).
    """
    times: dict[tuple[str, str], list[float]] = {(w.label, n): [] for w in workers for n in names}
    status: dict[str, int] = {}
    started = clock()
    for n in range(warmup):
        for name in names:
            for worker in workers:
                _, status[worker.label] = worker.time(name)
        if n and clock() - started > PAGE_BUDGET_SECONDS / 4:
            break
    started = clock()
    for i in range(requests):
        order = workers if i % 2 == 0 else workers[::-1]
        for name in names if (i // 2) % 2 == 0 else names[::-1]:
            for worker in order:
                ms, status[worker.label] = worker.time(name)
                times[worker.label, name].append(ms)
        if i + 1 >= MIN_REQUESTS and clock() - started > PAGE_BUDGET_SECONDS:
            break
    return times, status


def time_pages(
    workers, requests: int, warmup: int, only: str = "", pair_floor: bool = False, log=print
) -> dict[str, list[PageResult]]:
    """Open and time each page on every worker, the pages in the order of `pages()`.

    pair_floor: each page's iterations time the floor too (its `floor_times_ms`), so that
    large/floor compares two figures taken at the same moments.
    """
    kinds = dict(workers[0].hello["pages"])
    names = [
        name
        for name, kind in workers[0].hello["pages"]
        if kind == "floor" or only.lower() in name.lower()
    ]
    names.sort(key=lambda name: kinds[name] != "floor")  # the floor first: the pages pair it
    floor = names[0]
    results: dict[str, list[PageResult]] = {w.label: [] for w in workers}
    for name in names:
        opened = {w.label: w.open(name) for w in workers}
        if any(o["status"] != 200 for o in opened.values()):
            for worker in workers:
                results[worker.label].append(PageResult(**opened[worker.label]))
            if name == floor and pair_floor:
                raise RuntimeError(f"the floor did not open: {opened}")
            continue
        paired = [name, floor] if pair_floor and name != floor else [name]
        times, status = _timed(workers, paired, requests, warmup)
        line = []
        for worker in workers:
            result = PageResult(**opened[worker.label])
            result.times_ms = times[worker.label, name]
            result.status = status[worker.label]
            result.p50_ms, result.p95_ms = _percentiles(result.times_ms)
            if len(result.times_ms) < requests:
                result.note = f"{len(result.times_ms)} requests (time budget)"
            if len(paired) == 2:
                result.floor_times_ms = times[worker.label, floor]
                result.floor_p50_ms = _percentiles(result.floor_times_ms)[0]
            results[worker.label].append(result)
            floor_p50 = f", floor {result.floor_p50_ms} ms" if result.floor_p50_ms else ""
            size = f"{worker.label}: " if worker.label else ""
            line.append(f"{size}{result.queries} queries  p50 {result.p50_ms} ms{floor_p50}")
        log(f"  {name:<40} {'; '.join(line)}", flush=True)
    return results


def measure(requests: int, warmup: int, only: str = "") -> list[PageResult]:
    """One size, in this process: each page timed on its own, after its warm-up."""
    return time_pages([PageOpener()], requests, warmup, only)[""]


def paired(small_url: str, large_url: str, requests: int, warmup: int, only: str = ""):
    """Both sizes at once, request by request: one worker process per database."""
    workers = []
    try:
        workers.append(Worker("small", small_url))
        workers.append(Worker("large", large_url))
        print(
            f"Measuring pages in pairs (small: {workers[0].hello['teachers']:,} teachers, "
            f"large: {workers[1].hello['teachers']:,})",
            flush=True,
        )
        results = time_pages(workers, requests, warmup, only, pair_floor=True)
    finally:
        for worker in workers:
            worker.close()
    return workers, results


def _percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return round(statistics.median(ordered), 1), round(p95, 1)


def sweep() -> dict:
    """Run the reminder sweep once (rolled back): wall time, peak memory, queries per batch."""
    from django.db import connection, transaction

    from coaching.reminders import sweep as sweep_module
    from pplearn.models import User

    people = User.objects.filter(is_active=True).count()
    counter = {"queries": 0, "batches": 0}
    slowest: list[tuple[float, str]] = []

    def count(execute, sql, params, many, context):
        counter["queries"] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            slowest.append((time.perf_counter() - started, sql[:160]))
            slowest.sort(reverse=True)
            del slowest[3:]

    original = sweep_module._sweep_batch

    def counting_batch(*args, **kwargs):
        counter["batches"] += 1
        return original(*args, **kwargs)

    sweep_module._sweep_batch = counting_batch
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.execute_wrapper(count):
            written = sweep_module.reminders_sweep()
            transaction.set_rollback(True)
    finally:
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        sweep_module._sweep_batch = original
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "people": people,
        "seconds": round(seconds, 1),
        "python_peak_mb": round(peak / 2**20, 1),
        "process_peak_rss_mb": round(rss / 1024, 1),
        "rss_before_mb": round(rss_before / 1024, 1),
        "notifications": written,
        "batches": counter["batches"],
        "queries": counter["queries"],
        "queries_per_batch": round(counter["queries"] / max(1, counter["batches"]), 1),
        "slowest_queries": [f"{seconds * 1000:.0f} ms: {sql}" for seconds, sql in slowest],
    }


def _measured(args, argv: list[str], label: str, teachers: int, results, method: str) -> dict:
    """One size's measurement, in the form `report` reads."""
    return {
        "label": label,
        "teachers": teachers,
        "requests": args.requests,
        "warmup": args.warmup,
        "method": method,
        "machine": machine(),
        # The command that measured it (make bench lists all of its own in BENCH_COMMANDS).
        "commands": ["python -m pplearn.perf.bench " + shlex.join(argv)],
        "pages": [asdict(r) for r in results],
    }


def _write_json(path: str, data: dict) -> None:
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pplearn.perf.bench")
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure", help="one size, on DATABASE_URL, in this process")
    m.add_argument("--label", required=True)
    m.add_argument("--out", required=True)
    p = sub.add_parser("paired", help="both sizes, request by request (make bench)")
    p.add_argument("--small-url", required=True)
    p.add_argument("--large-url", required=True)
    p.add_argument("--out-small", required=True)
    p.add_argument("--out-large", required=True)
    for command in (m, p):
        requests = int(os.environ.get("BENCH_REQUESTS", 30))
        command.add_argument("--requests", type=int, default=requests)
        command.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP", 5)))
        command.add_argument("--only", default="", help="only pages whose name has this (+ floor)")
    sub.add_parser("serve", help="the worker of paired: JSON lines on stdin and stdout")
    s = sub.add_parser("sweep")
    s.add_argument("--label", required=True)
    s.add_argument("--out", required=True)
    r = sub.add_parser("report")
    r.add_argument("small")
    r.add_argument("large")
    r.add_argument("sweeps", nargs="*")
    r.add_argument("--write")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    if args.command == "report":
        return report(args.small, args.large, args.sweeps, args.write)
    if args.command == "serve":
        return serve()
    if args.command == "paired":
        workers, results = paired(
            args.small_url, args.large_url, args.requests, args.warmup, args.only
        )
        for worker, out in zip(workers, (args.out_small, args.out_large), strict=True):
            teachers, measured = worker.hello["teachers"], results[worker.label]
            _write_json(out, _measured(args, argv, worker.label, teachers, measured, "paired"))
        return 0
    _setup()
    from pplearn.models import Membership, Role

    teachers = Membership.objects.filter(role=Role.TEACHER).count()
    if args.command == "measure":
        print(f"Measuring pages ({args.label}: {teachers:,} teachers)", flush=True)
        results = measure(args.requests, args.warmup, args.only)
        data = _measured(args, argv, args.label, teachers, results, "one size")
    else:
        print(f"Reminder sweep ({args.label}: {teachers:,} teachers)", flush=True)
        data = {"label": args.label, **sweep()}
        print(f"  {data}", flush=True)
    _write_json(args.out, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
