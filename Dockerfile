# Production-like image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint needs Pango; fonts for the PDFs; xmlsec1 checks SAML signatures (servicelevel/saml.py).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core xmlsec1 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

# media/: uploaded imports and rendered reports (a volume shared by web and worker in docker compose).
RUN mkdir -p /app/media && useradd --system --uid 1000 portal && chown -R portal /app
USER portal
EXPOSE 8000
# gunicorn.conf.py (read from /app): the port from PORT, 3 workers, the access log on stdout, and the
# forwarding headers trusted only from DJANGO_TRUSTED_PROXIES.
CMD ["gunicorn", "servicelevel.wsgi"]
