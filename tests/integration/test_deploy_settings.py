"""Production settings (issue #9 §3): `check --deploy` is clean with MICROCREDIT_HTTPS=1, and the
trusted CSRF origins come from the environment. Each case starts a fresh interpreter, since the
settings are read from the environment once, at import."""

import json
import os
import subprocess
import sys

PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k, None) for k in ('CSRF_TRUSTED_ORIGINS', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER', 'DEBUG')}))"
)


def run(args, tmp_path, **env):
    # A production environment: none of ours, and not the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE
    # (tests/e2e/conftest.py sets it for Playwright in the same pytest process).
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith("MICROCREDIT_") and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    environment.update(DJANGO_SETTINGS_MODULE="microcredit.web.settings", MICROCREDIT_VAR=str(tmp_path), **env)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=environment, timeout=120)


def test_check_deploy_has_no_warnings_over_https(tmp_path):
    result = run(["-m", "microcredit", "check", "--deploy", "--fail-level", "WARNING"], tmp_path,
                 MICROCREDIT_HTTPS="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_https_turns_on_hsts_secure_cookies_redirect_and_the_proxy_header(tmp_path):
    result = run(["-c", PRINT_SETTINGS], tmp_path, MICROCREDIT_HTTPS="1")
    values = json.loads(result.stdout)
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SECURE_SSL_REDIRECT"]
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["DEBUG"] is False


def test_trusted_csrf_origins_come_from_the_environment_only(tmp_path):
    default = json.loads(run(["-c", PRINT_SETTINGS], tmp_path).stdout)
    assert default["CSRF_TRUSTED_ORIGINS"] == []  # nothing hard-coded (it was http://…:8000)
    configured = json.loads(run(["-c", PRINT_SETTINGS], tmp_path,
                                MICROCREDIT_CSRF_TRUSTED_ORIGINS="https://xd.example.cn, https://a.example.cn:8443").stdout)
    assert configured["CSRF_TRUSTED_ORIGINS"] == ["https://xd.example.cn", "https://a.example.cn:8443"]
