"""Production settings pass Django's deployment checklist and refuse to start without a secret."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _manage(tmp_path, *args: str, **env_overrides: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SALESDESK_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SALESDESK_ENV": "production",
            "SALESDESK_VAR_DIR": str(tmp_path / "var"),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "example.com",
        }
    )
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_the_deploy_check_does_fail_on_a_weak_secret_key(tmp_path):
    """Negative control: the check above would notice a bad setting."""
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", DJANGO_SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


@pytest.mark.parametrize("secret", [None, ""], ids=["unset", "empty"])
def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path, secret):
    result = _manage(tmp_path, "check", DJANGO_SECRET_KEY=secret)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_are_not_in_debug_and_have_no_dev_hosts(tmp_path):
    code = "from django.conf import settings; print(settings.DEBUG, sorted(settings.ALLOWED_HOSTS))"
    result = _manage(tmp_path, "shell", "-c", code, DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False ['example.com']"
