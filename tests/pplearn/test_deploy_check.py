"""Production differs only by environment variables: check that such a setup is sound."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def _dotenv_sets_secret_key() -> bool:
    dotenv = BASE_DIR / ".env"
    return dotenv.exists() and "SECRET_KEY" in dotenv.read_text()


pytestmark = pytest.mark.skipif(
    _dotenv_sets_secret_key(), reason="a local .env supplies SECRET_KEY to every run"
)


# Variables of the local or test setup that a production environment does not have.
NOT_IN_PRODUCTION = {"SECRET_KEY", "DJANGO_DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _production_env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in NOT_IN_PRODUCTION}
    env["DJANGO_DEBUG"] = "false"
    env["ALLOWED_HOSTS"] = "pplearn.example.org"
    if "DATABASE_URL" in os.environ:
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    env.update(extra)
    return env


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables():
    secret_key = secrets.token_urlsafe(48)
    assert len(secret_key) == 64

    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env=_production_env(SECRET_KEY=secret_key)
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env=_production_env())

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
