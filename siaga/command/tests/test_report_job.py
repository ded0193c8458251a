"""The daily situation report sent by the worker: once a day per subscriber, with the PDF attached, through
a real SMTP server; retried while the server is down; never twice when several workers run the job."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
from typing import Any

import pytest
from django.utils import timezone

from conftest import postgresql_only
from siaga.command import services
from siaga.command.models import ReportDelivery, ReportSubscription
from siaga.command.tests.conftest import MONDAY
from siaga.core.access import actor_for_user
from siaga.core.schedule import PERIODIC_JOBS
from siaga.core.tests.conftest import smtp_server  # noqa: F401 - the shared real SMTP server


def local(government: Any, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), government.tzinfo)


def subscribe(user: Any, government: Any) -> ReportSubscription:
    return services.subscription_set(actor=actor_for_user(user, government_id=government.pk), active=True)


def pdf_text(data: bytes, tmp_path: Any) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_the_job_is_registered():
    assert "command-daily-report" in [job.name for job in PERIODIC_JOBS]


def test_sent_once_a_day_from_the_morning_hour(world, org, leader, smtp_server, tmp_path, settings):  # noqa: F811
    settings.COMMAND_REPORT_HOUR = 6
    smtp_server.start()
    world(MONDAY)
    gov = org["government"]
    subscribe(leader, gov)
    subscribe(org["users"]["admin"], gov)
    services.subscription_set(actor=actor_for_user(org["users"]["health"], government_id=gov.pk), active=False)

    assert services.daily_reports(now=local(gov, MONDAY, 5, 59)) == {"scheduled": 0, "sent": 0}
    assert services.daily_reports(now=local(gov, MONDAY, 6, 1)) == {"scheduled": 2, "sent": 2}
    assert services.daily_reports(now=local(gov, MONDAY, 6, 6)) == {"scheduled": 0, "sent": 0}
    assert services.daily_reports(now=local(gov, MONDAY, 14, 0)) == {"scheduled": 0, "sent": 0}
    assert sorted(m.rcpt_tos[0] for m in smtp_server.received) == ["bkpsdm@example.go.id", "bupati@example.go.id"]
    mail = next(m.message for m in smtp_server.received if m.rcpt_tos == ["bupati@example.go.id"])
    assert "Daily situation report 23/11/2026" in mail["Subject"]
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "laporan-harian-situasi-2026-11-23.pdf"
    text = pdf_text(attachment.get_content(), tmp_path)
    assert "Kabupaten Sukoharjo · 23/11/2026" in text and "Karanganyar" not in text
    row = next(line.split() for line in text.splitlines() if line.strip().startswith("Dinas Kesehatan"))
    assert row[2:] == ["1", "0", "100%", "50%", "0", "<3", "<3", "<3", "0", "0"]
    assert set(ReportDelivery.objects.values_list("status", flat=True)) == {"sent"}
    # the next morning, one more each
    assert services.daily_reports(now=local(gov, MONDAY + dt.timedelta(days=1), 6, 0))["sent"] == 2
    assert len(smtp_server.received) == 4


def test_a_down_mail_server_is_retried_and_the_report_sent_once(org, leader, smtp_server, settings):  # noqa: F811
    settings.COMMAND_REPORT_HOUR = 6
    gov = org["government"]
    subscribe(leader, gov)
    assert services.daily_reports(now=local(gov, MONDAY, 6, 0)) == {"scheduled": 1, "sent": 0}
    delivery = ReportDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "Error" in delivery.last_error or "refused" in delivery.last_error.lower()
    smtp_server.start()
    # before the backoff has passed nothing is tried again
    assert services.daily_reports(now=local(gov, MONDAY, 6, 0) + dt.timedelta(seconds=5))["sent"] == 0
    assert services.daily_reports(now=local(gov, MONDAY, 6, 5))["sent"] == 1
    assert services.daily_reports(now=local(gov, MONDAY, 7, 0))["sent"] == 0
    assert len(smtp_server.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")


def test_a_subscriber_who_lost_the_role_gets_nothing(org, leader, smtp_server, settings):  # noqa: F811
    from siaga.core.models import RoleAssignment

    settings.COMMAND_REPORT_HOUR = 6
    smtp_server.start()
    gov = org["government"]
    subscribe(leader, gov)
    RoleAssignment.objects.filter(user=leader).delete()
    assert services.daily_reports(now=local(gov, MONDAY, 6, 0))["sent"] == 0
    assert smtp_server.received == []
    assert "role" in ReportDelivery.objects.get().last_error


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_several_workers_send_each_report_once(org, leader, smtp_server, settings):  # noqa: F811
    settings.COMMAND_REPORT_HOUR = 6
    smtp_server.start()
    gov = org["government"]
    subscribe(leader, gov)
    subscribe(org["users"]["admin"], gov)
    now = local(gov, MONDAY, 6, 30)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker() -> None:
        from django.db import connection

        try:
            barrier.wait()
            services.daily_reports(now=now)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ReportDelivery.objects.count() == 2
    assert sorted(m.rcpt_tos[0] for m in smtp_server.received) == ["bkpsdm@example.go.id", "bupati@example.go.id"]
