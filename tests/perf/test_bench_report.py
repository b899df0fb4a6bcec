"""The benchmark's rounds are merged into one measurement per size, and the report reads it."""

import json

from pplearn.perf.bench import merge, table


def _round(path, label: str, times: dict[str, list[float]], queries: int = 5) -> str:
    pages = [
        {
            "name": name,
            "kind": "floor" if name == "floor" else "page",
            "url": f"/{name}/",
            "status": 200,
            "queries": queries,
            "p50_ms": None,
            "p95_ms": None,
            "note": "",
            "times_ms": page_times,
        }
        for name, page_times in times.items()
    ]
    data = {"label": label, "teachers": 10, "requests": 3, "warmup": 1, "pages": pages}
    path.write_text(json.dumps(data))
    return str(path)


def test_rounds_merge_every_timed_request(tmp_path):
    first = _round(tmp_path / "r1.json", "small", {"floor": [10, 11, 12], "home": [30, 31, 90]})
    second = _round(tmp_path / "r2.json", "small", {"floor": [13, 14, 15], "home": [32, 33, 34]})

    merged = merge([first, second])

    assert merged["requests"] == 6
    assert merged["rounds"] == 2
    home = next(p for p in merged["pages"] if p["name"] == "home")
    assert sorted(home["times_ms"]) == [30, 31, 32, 33, 34, 90]
    assert home["p50_ms"] == 32.5  # the median of all six, not a median of the rounds' medians
    assert home["p95_ms"] == 90


def test_a_query_count_that_changes_between_rounds_is_reported(tmp_path):
    first = _round(tmp_path / "r1.json", "large", {"floor": [10], "home": [30]}, queries=5)
    second = _round(tmp_path / "r2.json", "large", {"floor": [10], "home": [30]}, queries=6)

    home = next(p for p in merge([first, second])["pages"] if p["name"] == "home")

    assert home["queries"] == 6
    assert "differ" in home["note"]


def test_the_report_compares_the_merged_sizes(tmp_path):
    small = merge([_round(tmp_path / "s.json", "small", {"floor": [10, 10], "home": [20, 20]})])
    large = merge([_round(tmp_path / "l.json", "large", {"floor": [10, 10], "home": [30, 30]})])

    markdown, failures = table(small, large)

    assert "| home | 5 | 5 | 20.0 ms | 30.0 ms | 1.5 | 3.0 |" in markdown
    assert failures == ["home: large/small > 1.3"]
