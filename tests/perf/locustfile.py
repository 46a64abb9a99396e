"""Load for `make bench` (step d): logged-in clients asking for one page, no think time.

LOAD_URL is the page (a path with its query), LOAD_NAME its name in the results; LOAD_SESSION and
LOAD_CSRF the session the bench logged in once (tests/perf/bench.py: no password hashing in the window).

The server runs with production settings over plain HTTP on loopback, so it is told the connection is
HTTPS (X-Forwarded-Proto, honoured from DJANGO_TRUSTED_PROXIES=127.0.0.1) and the session cookie is sent
by hand: the HTTP client would not send a Secure cookie over http://. FastHttpUser (geventhttpclient)
costs the client a fraction of what requests does, so on a shared machine more of the CPU is the server's.
"""

import os

from locust import FastHttpUser, constant, task

URL = os.environ.get("LOAD_URL", "/")
NAME = os.environ.get("LOAD_NAME", URL)
HEADERS = {
    "X-Forwarded-Proto": "https",
    "Cookie": f"sessionid={os.environ['LOAD_SESSION']}; csrftoken={os.environ.get('LOAD_CSRF', '')}",
}


class Client(FastHttpUser):
    wait_time = constant(0)

    @task
    def page(self):
        with self.client.get(URL, headers=HEADERS, name=NAME, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
