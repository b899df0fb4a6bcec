"""Load test: teachers, coordinators and principals doing their real journeys (make load).

Run by scripts/load.sh against gunicorn on 127.0.0.1 only. The site runs as in production
(DJANGO_DEBUG=false), behind what it takes for a TLS proxy: every request says
X-Forwarded-Proto: https, and the secure cookies are sent back over the loopback.
LOAD_PERSONAS names the JSON written by pplearn.perf.load_personas.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import threading

from locust import HttpUser, between, events, task

with open(os.environ["LOAD_PERSONAS"]) as _f:
    PERSONAS = json.load(_f)

_lock = threading.Lock()
_teachers = itertools.cycle(PERSONAS["teachers"])
_coordinators = itertools.cycle(PERSONAS["coordinators"])
_principals = itertools.cycle(PERSONAS["principals"])
_queue = iter(PERSONAS["queue"])
TOKEN_INPUT = re.compile(r'name="token" value="([^"]+)"')
CRITERION = re.compile(r'name="(c\d+)" value="on_track"')
FLOOR = "floor (password change page)"
START = "start: CSRF cookie"


def _next(iterator):
    with _lock:
        return next(iterator, None)


class Signed(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    me: dict

    def on_start(self):
        # Signed in beforehand (load_personas wrote the sessions): hashing fifty passwords
        # on two cores would be the whole run. The sign-in form is what the floor is not.
        host = self.host.split("://", 1)[1]
        self.client.headers.update({"X-Forwarded-Proto": "https", "Referer": f"https://{host}/"})
        # The cookies are secure, so no cookie jar sends them over http: send them by hand.
        session = self.me["session"]
        self.client.headers["Cookie"] = f"sessionid={session}"
        first = self.client.get(PERSONAS["floor"], name=START)
        self.csrf_token = first.cookies.get("csrftoken", "")
        self.client.headers["Cookie"] = f"sessionid={session}; csrftoken={self.csrf_token}"

    def csrf(self) -> str:
        return self.csrf_token

    @task(1)
    def floor(self):
        self.client.get(PERSONAS["floor"], name=FLOOR)


class Teacher(Signed):
    weight = 80

    def on_start(self):
        self.me = _next(_teachers)
        super().on_start()

    @task(3)
    def home(self):
        self.client.get("/", name="teacher home")

    @task(3)
    def goal(self):
        self.client.get(self.me["goal"], name="goal page")

    @task(3)
    def tier_form(self):
        self.client.get(self.me["form"], name="tier submission form")

    @task(4)
    def autosave(self):
        self.client.post(
            self.me["autosave"],
            data={"reflection_format": "text", "reflection": "Students explained their thinking."},
            headers={"X-CSRFToken": self.csrf(), "HX-Request": "true"},
            name="autosave draft",
        )


class Coordinator(Signed):
    weight = 15

    def on_start(self):
        self.me = _next(_coordinators)
        super().on_start()

    @task(3)
    def queue(self):
        self.client.get(PERSONAS["review_queue"], name="review queue")

    @task(3)
    def score(self):
        url = _next(_queue)
        if url is None:
            return
        page = self.client.get(url, name="scoring page")
        token = TOKEN_INPUT.search(page.text)
        if not token:
            return
        data = {
            "token": token.group(1),
            "csrfmiddlewaretoken": self.csrf(),
            "feedback": "Thank you.",
        }
        for name in CRITERION.findall(page.text):
            data[name] = "on_track"
        # Not following the redirect: it opens (and claims) the next item, which another
        # simulated coordinator may be about to score.
        with self.client.post(
            url, data=data, name="score", catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")


class Principal(Signed):
    weight = 5

    def on_start(self):
        self.me = _next(_principals)
        super().on_start()

    @task(3)
    def dashboard(self):
        self.client.get(self.me["dashboard"], name="school dashboard")


@events.quitting.add_listener
def summary(environment, **kwargs):
    """Print throughput, p50/p95, errors, and p95 against the floor's p95 under the same load."""
    stats = environment.stats
    total = stats.total
    floor = stats.get(FLOOR, "GET")
    floor_p95 = floor.get_response_time_percentile(0.95) if floor.num_requests else None
    print("\n== load summary")
    print(
        f"requests {total.num_requests}, errors {total.num_failures}, "
        f"throughput {total.total_rps:.1f} req/s, p50 {total.median_response_time:.0f} ms, "
        f"p95 {total.get_response_time_percentile(0.95):.0f} ms, floor p95 {floor_p95} ms"
    )
    print(
        f"{'request':<28} {'count':>6} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p95/floor':>9}"
    )
    failed = total.num_failures > 0
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        p95 = entry.get_response_time_percentile(0.95)
        ratio = p95 / floor_p95 if floor_p95 else None
        mark = ""
        if ratio is not None and entry.name not in (FLOOR, START):
            mark = " pass" if ratio <= 4 else " FAIL"
            failed = failed or ratio > 4
        print(
            f"{entry.name:<28} {entry.num_requests:>6} {entry.num_failures:>6} "
            f"{entry.median_response_time:>7.0f} {p95:>7.0f} "
            f"{'-' if ratio is None else f'{ratio:.1f}':>9}{mark}"
        )
    print("targets: no errors, p95 of each page at most 4 x the floor's p95 under the same load")
    print("RESULT:", "FAIL" if failed else "pass")
