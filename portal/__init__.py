"""The portal's pages: dashboards, unit lists and pages, comparison of equivalent units, self-service
and imports in the browser. It owns no models; it reads through selectors and writes through the other
apps' services, so it sits on top of every app."""
