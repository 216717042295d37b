import json
import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra) -> dict:
    test_only = ("DEBUG", "SECURE_SSL_REDIRECT", "CASELOAD_REQUIRE_2FA", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    return {**env, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "caseload.example.org",
            "DJANGO_SETTINGS_MODULE": "caseload.settings", "PYTHONPATH": str(ROOT), **extra}


def test_check_deploy_is_clean_under_production_settings():
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=production_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_turn_on_hsts_secure_cookies_tls_and_two_factor():
    script = ("import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({k: "
              "getattr(s, k) for k in ('SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', "
              "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_HTTPONLY', "
              "'CASELOAD_REQUIRE_2FA', 'SESSION_COOKIE_AGE', 'SESSION_REFRESH_SECONDS')}))")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=production_env(),
                            capture_output=True, text=True, check=True)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_HTTPONLY": True, "CASELOAD_REQUIRE_2FA": True,
        "SESSION_COOKIE_AGE": 1800, "SESSION_REFRESH_SECONDS": 60,
    }


@pytest.mark.django_db
def test_every_page_carries_a_content_security_policy(client, charlie):
    client.force_login(charlie)
    for path in ("/login/", "/visits/mine/"):
        policy = client.get(path)["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_pages_refuse_to_be_framed_and_sniffed(client):
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_web_servers_access_log_leaves_out_query_strings_and_referrers():
    log_format = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["access_log_format"]
    assert "%(U)s" in log_format
    for leaky in ("%(r)s", "%(q)s", "%(f)s"):
        assert leaky not in log_format
