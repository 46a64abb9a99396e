import pytest
from celery import current_app


@pytest.fixture(autouse=True)
def _eager_tasks(settings):
    """Tasks run in-process in tests, broker or not; the one worker test turns this off itself."""
    previous = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    current_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests make many users (factories, the permission matrix's roles); the production hasher's million
    PBKDF2 rounds would cost most of the suite's time and prove nothing about the portal."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def write_file(tmp_path):
    """Write a CSV (text) or bytes to a file and return its path."""

    def write(text, name="data.csv", encoding="utf-8"):
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding=encoding)
        return path

    return write
