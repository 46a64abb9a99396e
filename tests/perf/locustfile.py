"""Load for `make bench` (step d): logged-in clients asking for pages, no think time.

LOAD_TARGET picks what they ask for: `portal` (the dashboard `/` and the unit list `/enheter/`, half each)
or `admin` (the Django admin's unit changelist, the page people use today). Credentials come from
LOAD_USER / LOAD_PASSWORD.

The server runs with production settings over plain HTTP on loopback, so it is told the connection is
HTTPS (X-Forwarded-Proto, honoured from DJANGO_TRUSTED_PROXIES=127.0.0.1) and the session cookie is sent by hand:
the HTTP client would not send a Secure cookie over http://.
"""

import os
import re
from urllib.parse import urlparse

from locust import HttpUser, constant, task

TARGET = os.environ.get("LOAD_TARGET", "portal")
PROXY = {"X-Forwarded-Proto": "https"}


class Client(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        if os.environ.get("LOAD_SESSION"):  # logged in once by the bench: no password hashing in the window
            session, csrf = os.environ["LOAD_SESSION"], os.environ.get("LOAD_CSRF", "")
            self.headers = {**PROXY, "Cookie": f"sessionid={session}; csrftoken={csrf}"}
            return
        page = self.client.get("/konto/logga-in/", headers=PROXY, name="login")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        csrf_cookie = page.cookies.get("csrftoken")
        response = self.client.post(
            "/konto/logga-in/",
            data={
                "username": os.environ["LOAD_USER"],
                "password": os.environ["LOAD_PASSWORD"],
                "csrfmiddlewaretoken": token,
            },
            headers={
                **PROXY,
                "Cookie": f"csrftoken={csrf_cookie}",
                "Referer": f"https://{urlparse(self.host).netloc}/konto/logga-in/",
            },
            allow_redirects=False,
            name="login",
        )
        session = response.cookies.get("sessionid")
        if response.status_code != 302 or not session:
            raise RuntimeError(f"login failed: {response.status_code}")
        self.headers = {**PROXY, "Cookie": f"sessionid={session}; csrftoken={csrf_cookie}"}

    def _get(self, url, name):
        with self.client.get(url, headers=self.headers, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")

    @task
    def page(self):
        if TARGET == "admin":
            self._get("/admin/units/careunit/", "admin changelist")
        else:
            self._get("/", "/")
            self._get("/enheter/", "/enheter/")
