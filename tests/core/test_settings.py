"""Settings come from the environment; invalid values stop the process with a clear message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def check(**env) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("HMR_", "DATABASE_", "REDIS_", "CACHE_"))
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "hmr_site.settings.base", "DEBUG": "true", **env})
    clean.pop("SECRET_KEY", None) if "SECRET_KEY" not in env else None
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"HMR_REPLICATE_MODE": "SECONDARY"},
            "HMR_REPLICATE_MODE='SECONDARY' is not valid; expected one of PRIMARY, REPLICA.",
        ),
        (
            {"HMR_CANONICAL_FORMAT": "v3"},
            "HMR_CANONICAL_FORMAT='v3' is not valid; expected one of v2, legacy.",
        ),
        ({"DEBUG": "perhaps"}, "DEBUG='perhaps' is not a boolean (use true or false)."),
        ({"DEBUG": "false"}, "SECRET_KEY is required when DEBUG is false."),
        ({"HMR_HTTP_TIMEOUT_SECONDS": "0"}, "HMR_HTTP_TIMEOUT_SECONDS must be a positive integer, got 0."),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL is not a valid database URL"),
        (
            {"HMR_APPROVER_IDS": "6572, Tazlin#6572"},
            "HMR_APPROVER_IDS must list AI-Horde user ids (the digits after '#'), got 'Tazlin#6572'.",
        ),
        ({"HMR_AI_HORDE_URL": "aihorde.net/api"}, "HMR_AI_HORDE_URL='aihorde.net/api' is not an http:// or"),
        (
            {"HMR_AI_HORDE_READ_TIMEOUT_SECONDS": "-1"},
            "HMR_AI_HORDE_READ_TIMEOUT_SECONDS must be a positive number, got -1.",
        ),
        ({"HMR_AUTH_CACHE_SECONDS": "0"}, "HMR_AUTH_CACHE_SECONDS must be a positive integer, got 0."),
        ({"HMR_BROKER_TIMEOUT_SECONDS": "0"}, "HMR_BROKER_TIMEOUT_SECONDS must be a positive number, got 0."),
        (
            {"HMR_THROTTLE_WRITE_RATE": "fast"},
            "HMR_THROTTLE_WRITE_RATE='fast' is not a rate like '30/minute'.",
        ),
        ({"HMR_NUM_PROXIES": "-2"}, "HMR_NUM_PROXIES must be zero or a positive integer, got -2."),
    ],
)
def test_invalid_settings_fail_at_start_with_the_variable_named(env, message):
    result = check(**env)
    assert result.returncode != 0
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr


def test_the_embedded_defaults_start_without_any_service():
    result = check(HMR_REPLICATE_MODE="replica", HMR_CANONICAL_FORMAT="LEGACY")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_identity_settings_are_normalised():
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("HMR_", "DATABASE_", "REDIS_", "CACHE_"))
    }
    clean.update(
        DJANGO_SETTINGS_MODULE="hmr_site.settings.base",
        DEBUG="true",
        HMR_REQUESTOR_IDS=" 1001, ,1002 ,1001,",
        HMR_APPROVER_IDS="",
        HMR_AI_HORDE_URL="http://horde.internal:7001/api",
    )
    code = (
        "from django.conf import settings as s; "
        "print(s.HMR_REQUESTOR_IDS, s.HMR_APPROVER_IDS, s.HMR_AI_HORDE_URL, s.HMR_AUTH_CACHE_SECONDS, "
        "s.HMR_AUTH_NEGATIVE_CACHE_SECONDS, s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "['1001', '1002'] [] http://horde.internal:7001/api/ 60 10 "
        "{'horde_write': '60/minute', 'horde_lookup': '30/minute', 'admin_signin': '10/minute'}"
    )


@pytest.mark.parametrize(
    ("broker", "expected"),
    [
        ("redis://broker:6379/0", "3.0 {'socket_timeout': 3.0, 'socket_connect_timeout': 3.0} 0"),
        ("amqp://guest@broker//", "3.0 {} 2"),
    ],
)
def test_every_wait_on_the_broker_is_bounded(broker, expected):
    """Connecting, and with Redis every command, waits HMR_BROKER_TIMEOUT_SECONDS at most; a Redis
    publish is not retried (redis-py reconnects by itself), a RabbitMQ one twice."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("HMR_", "DATABASE_", "REDIS_", "CACHE_"))
    }
    clean.update(
        DJANGO_SETTINGS_MODULE="hmr_site.settings.base",
        DEBUG="true",
        CELERY_BROKER_URL=broker,
        HMR_BROKER_TIMEOUT_SECONDS="3",
    )
    code = (
        "from hmr_site.celery import app; c = app.conf; "
        "print(c.broker_connection_timeout, c.broker_transport_options, c.task_publish_retry_policy['max_retries'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
