"""The API's latency for `GET /api/v1/units/` at 2,000 units (docs/api.md, "Latency"): a demo region seeded
with seed_demo, gunicorn with production settings (3 workers), a Koncernstab token; first pages of 100 units
asked by one client, then by 20 at once, without think time. Prints p50/p95 in milliseconds.

    .venv/bin/python tests/perf/measure_api.py   # MEASURE_DATABASE_URL, MEASURE_REDIS_URL to choose
"""

import http.client
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
URL = os.environ.get("MEASURE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sl_api_perf")
REDIS = os.environ.get("MEASURE_REDIS_URL", "redis://127.0.0.1:6379/11")
UNITS, CASES, PORT = 2000, 50_000, 8719
REQUESTS_ONE, REQUESTS_MANY, CLIENTS = 200, 1000, 20


def env() -> dict:
    e = dict(os.environ)
    e.update(
        DATABASE_URL=URL,
        REDIS_URL=REDIS,
        DJANGO_SECRET_KEY="measure-only",
        DJANGO_DEBUG="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SSL_REDIRECT="0",
        API_THROTTLE_RATE="1000000/min",
    )
    return e


def manage(*args: str) -> str:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env(), check=True, capture_output=True, text=True
    ).stdout


def seed() -> str:
    u = urlparse(URL)
    db = u.path.lstrip("/")
    psql = ["psql", "-X", "-q", "-h", u.hostname, "-U", u.username, "-d", "postgres", "-c"]
    subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'], check=True)
    subprocess.run([*psql, f'CREATE DATABASE "{db}"'], check=True)
    manage("migrate", "--noinput", "-v0")
    manage("seed_demo", "--units", str(UNITS), "--cases", str(CASES))
    manage("shell", "-c", "from compliance.services import recompute; recompute()")
    manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; from units.permissions import Roles, ensure_groups;"
        "u, _ = get_user_model().objects.get_or_create(username='measure-api');"
        "u.groups.set([ensure_groups()[Roles.KONCERNSTAB]])",
    )
    return manage("create_api_token", "measure-api", "--days", "1").strip()


def get(secret: str) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    started = time.perf_counter()
    connection.request("GET", "/api/v1/units/?page_size=100", headers={"Authorization": f"Bearer {secret}"})
    response = connection.getresponse()
    response.read()
    assert response.status == 200, response.status
    connection.close()
    return (time.perf_counter() - started) * 1000


def figures(times: list[float]) -> str:
    q = statistics.quantiles(times, n=100)
    return f"p50 {q[49]:.0f} ms, p95 {q[94]:.0f} ms ({len(times)} requests)"


def main() -> None:
    secret = seed()
    server = subprocess.Popen(
        [PY, "-m", "gunicorn", "servicelevel.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "3"],
        cwd=ROOT,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                get(secret)
                break
            except (OSError, AssertionError):
                time.sleep(0.3)
        for _ in range(20):  # warm every worker
            get(secret)
        one = [get(secret) for _ in range(REQUESTS_ONE)]
        with ThreadPoolExecutor(CLIENTS) as pool:
            many = list(pool.map(lambda _: get(secret), range(REQUESTS_MANY)))
        print(f"units: {UNITS}; one client: {figures(one)}; {CLIENTS} clients: {figures(many)}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
