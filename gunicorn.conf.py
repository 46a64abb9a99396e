"""gunicorn's settings for the image (read from the working directory, /app, whenever gunicorn starts
there: `gunicorn servicelevel.wsgi`). Command-line flags still override these (tests, `make bench`).

Who may set X-Forwarded-Proto (whether the browser used HTTPS) and the other forwarding headers: exactly
the addresses in DJANGO_TRUSTED_PROXIES, the same list Django trusts, and nobody when the portal is not
behind a proxy. gunicorn's own default, 127.0.0.1 and ::1, would trust any process on the same host or
in the same container — and with Docker's port publishing, any client whose connection arrives through
the host's loopback (docs/deployment.md).
"""

import os

from servicelevel.env import trusted_proxies

bind = f"0.0.0.0:{os.environ.get('PORT') or 8000}"
workers = 3
accesslog = "-"
# Empty when the portal is not behind a proxy: no peer may speak for another.
forwarded_allow_ips = ",".join(trusted_proxies())
# gunicorn's control socket (`gunicornc`) is not used; no socket that is not needed.
control_socket_disable = True
