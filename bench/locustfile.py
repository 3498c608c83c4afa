"""Mixed tutor and pupil workload for bench/load.sh (loopback only).

Tutors: open the quick log, switch group, log an encounter, search encounters and pupils.
Pupils: open their own record. Accounts come from `seed-demo --schools N`: tutor, tutor2, ...
and pupil, pupil2, ...; the password is in DEMO_PASSWORD.
"""
from __future__ import annotations

import itertools
import os
import re
import uuid
from datetime import date

from locust import HttpUser, between, task

PASSWORD = os.environ.get("DEMO_PASSWORD", "careers-demo-2026")
SCHOOLS = int(os.environ.get("LOAD_SCHOOLS", "5"))
TOKEN = re.compile(r'name="csrf-token" id="csrf-token" content="([^"]+)"')
PUPILS = re.compile(r'name="pupil_ids" value="(\d+)"')
_numbers = itertools.count()


def account(base: str) -> str:
    n = next(_numbers) % SCHOOLS
    return base if n == 0 else f"{base}{n + 1}"


class Visitor(HttpUser):
    abstract = True
    role = ""

    def on_start(self):
        page = self.client.get("/login", name="/login").text
        token = TOKEN.search(page).group(1)
        self.client.post("/login", data={"username": account(self.role), "password": PASSWORD,
                                         "csrf_token": token}, name="/login [POST]")
        self.token = TOKEN.search(self.client.get("/", name="/").text).group(1)


class Tutor(Visitor):
    role = "tutor"
    weight = 3
    wait_time = between(1, 3)

    @task(3)
    def quick_log(self):
        page = self.client.get("/encounters/new", name="/encounters/new").text
        pupils = PUPILS.findall(page)
        self.client.get("/encounters/pupil-checklist?group=yg:9", headers={"HX-Request": "true"},
                        name="/encounters/pupil-checklist [htmx]")
        if pupils:
            self.client.post("/encounters/new", headers={"HX-Request": "true",
                                                         "X-CSRFToken": self.token},
                             data={"kind": "employer_talk", "title": "Load test talk",
                                   "date": date.today().isoformat(), "group": "tg:10A",
                                   "meaningful": "y", "submission_key": uuid.uuid4().hex,
                                   "pupil_ids": pupils[2:]},
                             name="/encounters/new [POST htmx]")

    @task(2)
    def search_encounters(self):
        self.client.get("/encounters/?q=talk", headers={"HX-Request": "true"},
                        name="/encounters/?q [htmx]")

    @task(1)
    def search_pupils(self):
        self.client.get("/pupils/?q=sm", headers={"HX-Request": "true"}, name="/pupils/?q [htmx]")


class Pupil(Visitor):
    role = "pupil"
    weight = 2
    wait_time = between(1, 3)

    @task
    def my_record(self):
        self.client.get("/me", name="/me")
