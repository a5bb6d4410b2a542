"""Locust users for `make loadtest` (bench/loadtest/run.py writes their plan and reads their saves).

Staff (teachers, TAs and SENCOs of the demo trust) sign in, open their home page, a pupil, the bulk
review page and a target, and save reviews through the target's own form, as a browser would: the
CSRF token and the form's one-time token come from the page just opened. Leaders (heads, SENCOs
as leaders and the trust lead) open their dashboards. Between two requests each person waits 5 to
15 seconds (LOAD_THINK_MIN, LOAD_THINK_MAX), as people do while they read and type.

LOAD_PLAN names the JSON plan (logins and what each may open); every save that the server
confirmed is written to LOAD_SAVED (one JSON line each) when the run stops, so that the runner
can compare the reviews posted with the reviews stored.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from pathlib import Path

from loadplan import COMMENT_MARK, bulk_review_path, pupil_path, review_form, target_path
from locust import HttpUser, between, events, task

THINK = between(float(os.environ.get("LOAD_THINK_MIN", "5")), float(os.environ.get("LOAD_THINK_MAX", "15")))
SAVED: list[dict] = []
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def load_plan() -> dict:
    return json.loads(Path(os.environ["LOAD_PLAN"]).read_text())


_PLAN: dict | None = None
_NEXT = {"staff": itertools.count(), "leaders": itertools.count()}


def next_login(kind: str) -> dict:
    """Logins are handed out in turn, so that 200 users are 200 people when the demo has them."""
    global _PLAN
    _PLAN = _PLAN or load_plan()
    people = _PLAN[kind]
    return people[next(_NEXT[kind]) % len(people)]


class Person(HttpUser):
    abstract = True
    wait_time = THINK
    kind = ""

    def on_start(self):
        self.login = next_login(self.kind)
        page = self.client.get("/sign-in/", name="sign-in page")
        token = CSRF.search(page.text)
        credentials = {"username": self.login["username"], "password": self.login["password"]}
        with self.client.post(
            "/sign-in/",
            data=credentials | {"csrfmiddlewaretoken": token.group(1) if token else ""},
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "sessionid" not in self.client.cookies:
                response.failure(f"sign-in refused for {self.login['username']} ({response.status_code})")

    def open(self, path: str, name: str):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/sign-in/" in response.url:
                response.failure(f"{path} answered {response.status_code} at {response.url}")
            return response


class Staff(Person):
    """A teacher, TA or SENCO: their to-do list, a pupil, a target and its review, the bulk review page."""

    weight = 17
    kind = "staff"

    @task(2)
    def home(self):
        self.open("/", "home")

    @task(2)
    def pupil(self):
        target = random.choice(self.login["targets"])
        self.open(pupil_path(target), "pupil page")

    @task(1)
    def bulk_review_page(self):
        self.open(bulk_review_path(self.login), "bulk review page")

    @task(4)
    def review(self):
        target = random.choice(self.login["targets"])
        page = self.open(target_path(target), "target page")
        fields = review_form(page.text) if page.ok else None
        if fields is None:
            return
        mark = f"{COMMENT_MARK}{uuid.uuid4().hex}"
        fields.update(value=random.choice(target["values"]), comment=mark)
        with self.client.post(
            target_path(target),
            data=fields,
            name="save review",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and response.headers.get("Location", "").endswith(target_path(target)):
                SAVED.append({"target": target["id"], "comment": mark})
            else:
                response.failure(f"review of target {target['id']} not saved ({response.status_code})")


class Leader(Person):
    """A head, a SENCO as a leader, or the trust lead: their home page and dashboards."""

    weight = 3
    kind = "leaders"

    @task(1)
    def home(self):
        self.open("/", "home (leader)")

    @task(3)
    def dashboard(self):
        path = random.choice(self.login["dashboards"])
        self.open(path, "trust dashboard" if "/trust/" in path else "school dashboard")


@events.test_stop.add_listener
def write_saves(**_kwargs):
    if saved := os.environ.get("LOAD_SAVED"):
        Path(saved).write_text("".join(json.dumps(save) + "\n" for save in SAVED))
