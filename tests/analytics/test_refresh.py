"""The usage refresh: what a snapshot of the realistic AI-Horde answers stores, what an outage
keeps, the 90 days of history, and that the task is scheduled."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from apps.analytics.models import BackendUsage, RecordUsage, UnknownModel, UsageDay, UsageSnapshot
from apps.analytics.services import usage_refresh
from apps.analytics.tasks import refresh_usage
from apps.catalog.models import ModelRecord
from apps.core import clock
from apps.sync.services.schedules import schedule_specs
from tests.analytics.horde_payloads import STATS_IMAGE, STATS_TEXT, STATUS_IMAGE, STATUS_TEXT, WORKERS_IMAGE
from tests.conftest import FROZEN_AT
from tests.fake_horde import CONNECTION_ERROR

pytestmark = pytest.mark.django_db


def _usage(stats, *names):
    return tuple(sum(stats[p].get(n, 0) for n in names) for p in ("day", "month", "total"))


def _status(entries, name):
    return next(e for e in entries if e["name"] == name)


def _row(name):
    return RecordUsage.objects.select_related("record").get(record__name=name)


def _figures(row):
    return (row.worker_count, row.performance, row.queued, row.queued_jobs, row.eta)


def test_a_refresh_stores_each_record_its_backends_the_unknown_names_and_the_day(usage_snapshot):
    assert usage_snapshot.usage_calls() == [
        "status/models?type=image&model_state=all",
        "stats/img/models?model_state=all",
        "workers?type=image",
        "status/models?type=text&model_state=all",
        "stats/text/models?model_state=all",
        "workers?type=text",
    ]
    albedo = _row("AlbedoBase XL (SDXL)")
    status = _status(STATUS_IMAGE, "AlbedoBase XL (SDXL)")
    assert _figures(albedo) == (
        status["count"],
        status["performance"],
        status["queued"],
        status["jobs"],
        status["eta"],
    )
    assert (albedo.usage_day, albedo.usage_month, albedo.usage_total) == _usage(
        STATS_IMAGE, "AlbedoBase XL (SDXL)"
    )
    serving = [w for w in WORKERS_IMAGE if "AlbedoBase XL (SDXL)" in w["models"]]
    assert [w["id"] for w in albedo.workers] == [w["id"] for w in serving]
    assert albedo.workers[0] == {
        "id": serving[0]["id"],
        "name": serving[0]["name"],
        "performance": serving[0]["performance"],
        "online": True,
        "trusted": True,
        "uptime": serving[0]["uptime"],
        "max_length": None,
        "max_context_length": None,
        "bridge_agent": serving[0]["bridge_agent"],
        "nsfw": False,
    }
    anything = _row("Anything v3")  # AI-Horde spells it "anything v3"
    assert anything.status_name == "anything v3" and anything.worker_count == 2

    magnum = _row("anthracite-org/magnum-v4-12b")
    names = [
        "aphrodite/anthracite-org/magnum-v4-12b",
        "koboldcpp/magnum-v4-12b",
        "koboldcpp/magnum-v4-12b-Q4_K_M",
    ]
    kobold = _status(STATUS_TEXT, "koboldcpp/magnum-v4-12b")
    assert _figures(magnum) == (
        kobold["count"],
        kobold["performance"],
        kobold["queued"],
        kobold["jobs"],
        kobold["eta"],
    )
    assert (magnum.usage_day, magnum.usage_month, magnum.usage_total) == _usage(STATS_TEXT, *names)
    backends = BackendUsage.objects.filter(record=magnum.record).order_by("id")
    assert [(b.backend, b.variant_name, b.worker_count, b.usage_month) for b in backends] == [
        ("aphrodite", names[0], 2, STATS_TEXT["month"][names[0]]),
        ("koboldcpp", names[1], 5, STATS_TEXT["month"][names[1]] + STATS_TEXT["month"][names[2]]),
    ]
    gpt2 = _row("gpt2")  # in the stats only: used this month, nobody serves it now
    assert (
        _figures(gpt2) == (0, None, None, None, None)
        and gpt2.usage_total == STATS_TEXT["total"]["koboldcpp/gpt2"]
    )

    unknown = {(u.category, u.name): (u.worker_count, u.usage_month) for u in UnknownModel.objects.all()}
    assert unknown == {
        ("image_generation", "Some Custom Anime XL"): (1, STATS_IMAGE["month"]["Some Custom Anime XL"]),
        ("text_generation", "koboldcpp/Totally-Unknown-13B-Q5_K_M"): (1, 150),
        ("text_generation", "aphrodite/SomeOrg/Not-In-Reference-70B"): (1, 60),
    }
    assert UnknownModel.objects.get(name="Some Custom Anime XL").first_seen == FROZEN_AT

    for category in ("image_generation", "text_generation"):
        records = ModelRecord.objects.filter(category=category).count()
        days = UsageDay.objects.filter(category=category)
        assert days.count() == records and set(days.values_list("day", flat=True)) == {FROZEN_AT.date()}
        snapshot = UsageSnapshot.objects.get(category=category)
        assert (snapshot.as_of, snapshot.version, snapshot.last_error) == (FROZEN_AT, 1, None)
    served = {n for n in STATS_IMAGE["month"]} - {"Some Custom Anime XL"}
    assert RecordUsage.objects.filter(category="image_generation").count() == len(served)


def test_an_outage_keeps_the_old_snapshot_and_every_answer_says_it_is_stale(demo_usage, client):
    refresh_usage()
    before = list(RecordUsage.objects.values())
    clock.freeze(FROZEN_AT + timedelta(minutes=10))
    demo_usage.fail_usage_with(503)
    assert refresh_usage() == {
        "image_generation": {"result": "failed", "error": "AI-Horde answered HTTP 503"},
        "text_generation": {"result": "failed", "error": "AI-Horde answered HTTP 503"},
    }
    assert list(RecordUsage.objects.values()) == before
    snapshot = UsageSnapshot.objects.get(category="image_generation")
    assert (snapshot.as_of, snapshot.attempted_at, snapshot.last_error) == (
        FROZEN_AT,
        FROZEN_AT + timedelta(minutes=10),
        "AI-Horde answered HTTP 503",
    )
    response = client.get("/api/model_references/statistics/image_generation/deletion-risk?limit=1")
    assert response.status_code == 200
    assert (response["X-Snapshot-As-Of"], response["X-Snapshot-Stale"]) == ("2026-01-02T03:04:05Z", "true")
    body = response.json()
    assert (body["as_of"], body["stale"], body["models"][0]["name"]) == (
        clock.unix(FROZEN_AT),
        True,
        "Demo Realism",
    )
    assert client.get("/api/heartbeat").json()["ai_horde"]["consecutive_failures"] == 2

    demo_usage.fail_usage_with(None)
    refresh_usage()
    response = client.get("/api/model_references/statistics/image_generation/deletion-risk?limit=1")
    assert response["X-Snapshot-Stale"] == "false" and response.json()["stale"] is False


def test_a_snapshot_older_than_the_stale_limit_is_stale(demo_usage, client, settings):
    refresh_usage()
    settings.HMR_USAGE_STALE_MINUTES = 30
    clock.freeze(FROZEN_AT + timedelta(minutes=31))  # the refreshes stopped (no beat, say)
    response = client.get("/api/model_references/statistics/image_generation/with-stats")
    assert response["X-Snapshot-Stale"] == "true"
    assert response.json()["Demo Realism"]["observed_at"] == clock.unix(FROZEN_AT)


def test_history_keeps_one_row_per_record_and_day_for_the_kept_days(demo_usage, settings):
    settings.HMR_USAGE_HISTORY_DAYS = 3  # 90 by default (see the settings test below)
    for day in range(5):
        clock.freeze(FROZEN_AT + timedelta(days=day))
        usage_refresh()
    clock.freeze(FROZEN_AT + timedelta(days=4, hours=1))
    usage_refresh()  # the same day again: its row is updated, not added
    realism = UsageDay.objects.filter(name="Demo Realism").order_by("day")
    assert [d.day for d in realism] == [(FROZEN_AT + timedelta(days=n)).date() for n in (2, 3, 4)]
    assert (realism.last().usage_month, realism.last().worker_count) == (50, 3)
    records = ModelRecord.objects.filter(category="image_generation").count()
    assert UsageDay.objects.filter(category="image_generation").count() == 3 * records


def test_the_refresh_is_scheduled_every_ten_minutes_and_keeps_90_days_by_default():
    (spec,) = [s for s in schedule_specs() if s.task == "analytics.usage_refresh"]
    assert (spec.every_minutes, spec.expire_seconds) == (10, 600)
    assert (
        settings.HMR_USAGE_HISTORY_DAYS,
        settings.HMR_USAGE_STALE_MINUTES,
        settings.HMR_PROTECTED_TOP_N,
    ) == (90, 30, 10)


def test_refresh_usage_says_what_happened_and_can_close_the_breaker_first(demo_usage):
    out, err = StringIO(), StringIO()
    call_command("refresh_usage", stdout=out, stderr=err)
    assert out.getvalue().splitlines() == [
        "image_generation: refreshed (1 records in use, 0 names unknown to the reference)",
        "text_generation: refreshed (0 records in use, 0 names unknown to the reference)",
    ]
    demo_usage.fail_usage_with(CONNECTION_ERROR)
    for _ in range(3):  # two failed calls per run: the breaker opens at the fifth
        with pytest.raises(CommandError, match="the previous snapshot is kept"):
            call_command("refresh_usage", stdout=out, stderr=err)
    assert "text_generation: failed: AI-Horde circuit breaker is open (retry in 120s)" in err.getvalue()
    demo_usage.fail_usage_with(None)
    with pytest.raises(CommandError):
        call_command("refresh_usage", stdout=out, stderr=err)  # still open: AI-Horde is not asked
    calls = demo_usage.calls
    call_command("refresh_usage", "--reset-breaker", stdout=out, stderr=err)
    assert demo_usage.calls == calls + 6
