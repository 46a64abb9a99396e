"""A real OpenID provider for the test suite, run in a process of its own (tests/oidc_provider/fixtures.py).

It is oidc-provider-mock's provider (Authlib's authorization server: discovery, JWKS, the authorization
code grant, RS256-signed ID tokens with `nonce`, clients registered with a secret, end_session_endpoint),
with two things added here:

- PKCE required (RFC 7636, S256): the authorization request's code_challenge is kept with the code it
  gave, and the token request is refused (`invalid_grant`) without the matching code_verifier;
- a test control, `POST /_test/next-id-token` with {"mode": ...}: the next token response's ID token is
  made wrong in one way — "tampered" (its payload changed, the signature kept), "audience" (another
  `aud`), "audience-azp" (another `aud`, the portal's client id as `azp`), "expired" (`exp` an hour ago), "issuer" (another `iss`), "nonce" (another `nonce`). All but
  "tampered" are signed again with the provider's own key, so only the named check can refuse them.

Usage: python -m tests.oidc_provider.server PORT
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import time
from urllib.parse import parse_qs, urlparse

os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on 127.0.0.1, tests only

import flask  # noqa: E402
import oidc_provider_mock  # noqa: E402
import werkzeug.serving  # noqa: E402
from authlib.jose import jwt  # noqa: E402
from oidc_provider_mock._storage import storage  # noqa: E402

app = oidc_provider_mock.app(require_client_registration=True, require_nonce=True)
challenges: dict[str, str] = {}  # code → its S256 code_challenge
next_mode: list[str] = []


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@app.post("/_test/next-id-token")
def set_next_mode():
    next_mode[:] = [flask.request.get_json()["mode"]]
    return "", 204


@app.before_request
def require_pkce():
    request = flask.request
    pkce = request.args.get("code_challenge_method") == "S256" and request.args.get("code_challenge")
    if request.path == "/oauth2/authorize" and request.method == "POST" and not pkce:
        return flask.jsonify(error="invalid_request", error_description="PKCE (S256) required"), 400
    if request.path == "/oauth2/token" and request.form.get("grant_type") == "authorization_code":
        challenge = challenges.pop(request.form.get("code", ""), None)
        verifier = request.form.get("code_verifier", "")
        if challenge is None or _b64(hashlib.sha256(verifier.encode()).digest()) != challenge:
            return flask.jsonify(error="invalid_grant", error_description="code_verifier does not match"), 400
    return None


@app.after_request
def keep_challenge_and_misbehave(response):
    request = flask.request
    if request.path == "/oauth2/authorize" and response.status_code in (302, 303):
        code = parse_qs(urlparse(response.headers["Location"]).query).get("code", [""])[0]
        if code:
            challenges[code] = request.args["code_challenge"]
    if request.path == "/oauth2/token" and response.status_code == 200 and next_mode:
        mode = next_mode.pop()
        body = json.loads(response.get_data())
        header_b64, payload_b64, signature = body["id_token"].split(".")
        header = json.loads(base64.urlsafe_b64decode(header_b64 + "=="))
        claims = json.loads(base64.urlsafe_b64decode(payload_b64 + "=="))
        if mode == "tampered":
            claims["sub"] = "someone-else"
            body["id_token"] = f"{header_b64}.{_b64(json.dumps(claims).encode())}.{signature}"
        else:
            if mode == "audience":
                claims["aud"] = "another-client"
            elif mode == "audience-azp":  # another client's token naming the portal as its azp
                claims["aud"], claims["azp"] = "another-client", claims["aud"]
            elif mode == "expired":
                claims["iat"], claims["exp"] = int(time.time()) - 7200, int(time.time()) - 3600
            elif mode == "issuer":
                claims["iss"] = "https://idp.example.invalid"
            elif mode == "nonce":
                claims["nonce"] = "not-the-portals-nonce"
            body["id_token"] = jwt.encode(header, claims, storage.jwk).decode()
        response.set_data(json.dumps(body))
    return response


if __name__ == "__main__":
    port = int(sys.argv[1])
    server = werkzeug.serving.make_server("127.0.0.1", port, app, threaded=True)
    print("ready", flush=True)
    server.serve_forever()
