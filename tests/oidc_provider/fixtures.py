"""The real OpenID provider (tests/oidc_provider/server.py) as a pytest fixture: started once per test
process in a process of its own, on a free port, ended with the session. A test module imports
`oidc_provider_fixture` and asks for `oidc_provider`."""

import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class Provider:
    url: str


@pytest.fixture(scope="session", name="oidc_provider")
def oidc_provider_fixture():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.server", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        assert process.stdout.readline().strip() == "ready"
        for _ in range(50):
            try:
                requests.get(f"{url}/.well-known/openid-configuration", timeout=2).raise_for_status()
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield Provider(url)
    finally:
        process.terminate()
        process.wait(10)


def register_client(provider: Provider, redirect_uri: str) -> tuple[str, str]:
    """A client registered at the provider for this redirect URI: (client id, secret)."""
    answer = requests.post(
        f"{provider.url}/oauth2/clients", json={"redirect_uris": [redirect_uri]}, timeout=5
    )
    answer.raise_for_status()
    return answer.json()["client_id"], answer.json()["client_secret"]


def set_claims(provider: Provider, sub: str, claims: dict) -> None:
    """What the provider says about the person `sub` in the ID tokens it signs from now on."""
    requests.put(f"{provider.url}/users/{quote(sub)}", json=claims, timeout=5).raise_for_status()
