"""make bench times the two sizes in pairs, interleaved, and the report reads each page's
paired floor. Nothing here is timed: the workers are fakes that record the order of calls."""

import datetime
import json

import pytest

from pplearn.perf import bench, bench_report
from pplearn.perf.bench import time_pages
from pplearn.perf.bench_report import how_measured, table

FLOOR = "floor"
TODAY = datetime.date(2026, 11, 20)
PAGES = [[FLOOR, "floor"], ["home", "page"], ["unbuilt", "page"], ["district", "dashboard"]]


class FakeWorker:
    """Answers like a `serve` worker; each (page, size) always takes the same milliseconds."""

    def __init__(self, label: str, calls: list, ms: dict[str, float]):
        self.label = label
        self.calls = calls
        self.ms = ms
        self.hello = {"teachers": 10, "pages": PAGES}

    def open(self, name: str) -> dict:
        self.calls.append((self.label, "open", name))
        built = name != "unbuilt"
        return {
            "name": name,
            "kind": dict(PAGES)[name],
            "url": f"/{name}/",
            "status": 200 if built else 404,
            "queries": 5 if built else None,
            "p50_ms": None,
            "p95_ms": None,
            "note": "" if built else "not built",
        }

    def time(self, name: str) -> tuple[float, int]:
        self.calls.append((self.label, "time", name))
        return self.ms[name], 200


def _workers(calls):
    small = FakeWorker("small", calls, {FLOOR: 10.0, "home": 20.0, "district": 25.0})
    large = FakeWorker("large", calls, {FLOOR: 11.0, "home": 30.0, "district": 70.0})
    return [small, large]


def _quiet(*args, **kwargs):
    pass


def _timed_calls(calls, page: str) -> list[tuple[str, str]]:
    """The timed requests made while `page` was measured: from its opening to the next one."""
    start = max(i for i, call in enumerate(calls) if call[1:] == ("open", page))
    after = calls[start + 1 :]
    end = next((i for i, call in enumerate(after) if call[1] == "open"), len(after))
    return [(label, name) for label, op, name in after[:end]]


def test_each_iteration_times_the_page_and_its_floor_on_both_sizes_in_alternating_turns():
    calls = []

    time_pages(_workers(calls), requests=4, warmup=1, only="home", pair_floor=True, log=_quiet)

    timed = _timed_calls(calls, "home")
    warmup, iterations = timed[:4], timed[4:]
    assert sorted(warmup) == sorted(
        [("small", "home"), ("large", "home"), ("small", FLOOR), ("large", FLOOR)]
    )
    assert iterations == [
        # which size goes first alternates every iteration, page or floor first every two
        ("small", "home"),
        ("large", "home"),
        ("small", FLOOR),
        ("large", FLOOR),
        ("large", "home"),
        ("small", "home"),
        ("large", FLOOR),
        ("small", FLOOR),
        ("small", FLOOR),
        ("large", FLOOR),
        ("small", "home"),
        ("large", "home"),
        ("large", FLOOR),
        ("small", FLOOR),
        ("large", "home"),
        ("small", "home"),
    ]


def test_every_page_is_paired_with_the_floor_and_the_floor_is_opened_first():
    calls = []

    results = time_pages(_workers(calls), requests=3, warmup=0, pair_floor=True, log=_quiet)

    opened = [(label, name) for label, op, name in calls if op == "open"]
    assert opened[:2] == [("small", FLOOR), ("large", FLOOR)]
    for page in ("home", "district"):
        timed = _timed_calls(calls, page)
        assert len(timed) == 3 * 4  # three iterations of four requests
        for i in range(3):
            iteration = sorted(timed[4 * i : 4 * i + 4])
            assert iteration == sorted(
                [("small", page), ("large", page), ("small", FLOOR), ("large", FLOOR)]
            )
    home = next(r for r in results["large"] if r.name == "home")
    assert home.times_ms == [30.0] * 3
    assert home.floor_times_ms == [11.0] * 3
    assert home.floor_p50_ms == 11.0
    assert next(r for r in results["small"] if r.name == "home").floor_p50_ms == 10.0
    floor = next(r for r in results["large"] if r.name == FLOOR)
    assert floor.times_ms == [11.0] * 3
    assert floor.floor_times_ms == []  # the floor is not timed twice per iteration


def test_a_page_that_does_not_open_is_reported_on_both_sizes_and_not_timed():
    calls = []

    results = time_pages(_workers(calls), requests=2, warmup=1, pair_floor=True, log=_quiet)

    assert _timed_calls(calls, "unbuilt") == []
    for label in ("small", "large"):
        unbuilt = next(r for r in results[label] if r.name == "unbuilt")
        assert (unbuilt.status, unbuilt.note, unbuilt.times_ms) == (404, "not built", [])


def test_one_size_alone_times_its_pages_without_the_floor_beside_them():
    calls = []
    small = _workers(calls)[0]

    results = time_pages([small], requests=2, warmup=0, only="home", log=_quiet)

    assert _timed_calls(calls, "home") == [("small", "home")] * 2
    assert [r.floor_times_ms for r in results["small"]] == [[], []]


def test_a_page_over_its_time_budget_stops_after_the_minimum_of_requests(monkeypatch):
    monkeypatch.setattr(bench, "PAGE_BUDGET_SECONDS", 0)
    calls = []

    results = time_pages(_workers(calls), requests=15, warmup=5, only="home", pair_floor=True)

    home = next(r for r in results["large"] if r.name == "home")
    assert len(home.times_ms) == len(home.floor_times_ms) == bench.MIN_REQUESTS
    assert home.note == f"{bench.MIN_REQUESTS} requests (time budget)"
    assert len(_timed_calls(calls, "home")) == (2 + bench.MIN_REQUESTS) * 4  # warm-up cut at 2


def _page(name: str, kind: str, p50: float, floor_p50: float | None = None) -> dict:
    page = {
        "name": name,
        "kind": kind,
        "url": f"/{name}/",
        "status": 200,
        "queries": 5,
        "p50_ms": p50,
        "p95_ms": p50,
        "note": "",
        "times_ms": [p50],
    }
    if floor_p50 is not None:
        page.update(floor_times_ms=[floor_p50], floor_p50_ms=floor_p50)
    return page


def _size(label: str, *pages: dict, method: str = "paired") -> dict:
    return {
        "label": label,
        "teachers": 10,
        "requests": 1,
        "warmup": 0,
        "method": method,
        "pages": list(pages),
    }


def test_large_over_floor_divides_by_the_floor_timed_with_the_page():
    # The floor's own row ran at a fast moment (5 ms); the page's iterations ran slower.
    small = _size(
        "small",
        _page(FLOOR, "floor", 5.0),
        _page("home", "page", 28.0, floor_p50=10.0),
        _page("district", "dashboard", 24.0, floor_p50=3.0),
    )
    large = _size(
        "large",
        _page(FLOOR, "floor", 5.0),
        # 3x its paired floor: passes, though 6x the floor row
        _page("home", "page", 30.0, floor_p50=10.0),
        # 10x its paired floor: fails, though 5x the floor row
        _page("district", "dashboard", 25.0, floor_p50=2.5),
    )

    markdown, failures = table(small, large)

    assert "| home | 5 | 5 | 28.0 ms | 30.0 ms | 1.07 | 10.0 ms | 3.0 |" in markdown
    assert "| district | 5 | 5 | 24.0 ms | 25.0 ms | 1.04 | 2.5 ms | 10.0 |" in markdown
    assert "| floor | 5 | 5 | 5.0 ms | 5.0 ms | 1.0 | 5.0 ms | 1.0 |" in markdown
    assert failures == ["district: large/floor > 8"]


def test_without_a_paired_floor_the_floor_row_is_used():
    small = _size("small", _page(FLOOR, "floor", 10.0), _page("home", "page", 20.0), method="")
    large = _size("large", _page(FLOOR, "floor", 10.0), _page("home", "page", 45.0), method="")

    markdown, failures = table(small, large)

    assert "| home | 5 | 5 | 20.0 ms | 45.0 ms | 2.25 | 10.0 ms | 4.5 |" in markdown
    assert failures == ["home: large/small > 1.3, large/floor > 4"]


@pytest.mark.parametrize(
    ("method", "says"),
    [("paired", "in pairs, interleaved"), ("one size", "each size on its own")],
)
def test_the_heading_says_how_the_pages_were_measured(method, says):
    assert says in how_measured(_size("large", method=method))


def test_the_document_keeps_its_notes_and_lists_the_commands_run(tmp_path, monkeypatch):
    small = _size("small", _page(FLOOR, "floor", 10.0), _page("home", "page", 20.0, 10.0))
    large = _size("large", _page(FLOOR, "floor", 10.0), _page("home", "page", 21.0, 10.0))
    for size in (small, large):
        size["machine"] = bench_report.machine()
        size["commands"] = ["python -m pplearn.perf.bench paired --requests 1"]
    paths = []
    for size in (small, large):
        paths.append(tmp_path / f"{size['label']}.json")
        paths[-1].write_text(json.dumps(size))
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# B\n\nabove\n<!-- bench:start -->\nold\n<!-- bench:end -->\nbelow\n")
    monkeypatch.delenv("BENCH_COMMANDS", raising=False)

    bench_report.report(str(paths[0]), str(paths[1]), [], str(doc))

    written = doc.read_text()
    assert written.startswith("# B\n\nabove\n<!-- bench:start -->\n")
    assert written.endswith("<!-- bench:end -->\nbelow\n")
    assert "old" not in written
    assert "in pairs, interleaved" in " ".join(written.split())
    # the same command measured both sizes: listed once
    assert written.count("python -m pplearn.perf.bench paired --requests 1") == 1

    monkeypatch.setenv("BENCH_COMMANDS", "make bench\n.venv/bin/python -m pplearn.perf.bench x")
    bench_report.report(str(paths[0]), str(paths[1]), [], str(doc))

    assert "```sh\nmake bench\n.venv/bin/python -m pplearn.perf.bench x\n```" in doc.read_text()


@pytest.mark.django_db(transaction=True)
def test_two_workers_time_a_generated_district_over_their_pipes():
    """End to end: `paired` starts two `serve` processes (here on the same test database)."""
    from django.db import connection

    from pplearn.models import Membership, Role
    from tests.perf.generated import small_district

    small_district(teachers=20, years=2, seed=3, today=TODAY, slug="workers")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    workers, results = bench.paired(url, url, requests=2, warmup=1, only="teacher home")

    teachers = Membership.objects.filter(role=Role.TEACHER).count()
    assert [w.hello["teachers"] for w in workers] == [teachers, teachers]
    for label in ("small", "large"):
        floor, home = results[label]
        assert (floor.kind, home.name) == ("floor", "teacher home")
        assert (floor.status, floor.queries, len(floor.times_ms)) == (200, 3, 2)
        assert (home.status, len(home.times_ms), len(home.floor_times_ms)) == (200, 2, 2)
        assert home.p50_ms > 0
        assert home.floor_p50_ms > 0
    assert results["small"][1].queries == results["large"][1].queries


def test_a_worker_that_cannot_answer_stops_the_measurement(monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "no_such_settings_module")

    with pytest.raises(RuntimeError, match="the small worker stopped"):
        bench.paired("sqlite:///nowhere", "sqlite:///nowhere", requests=1, warmup=0)
