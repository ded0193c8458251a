"""``siaga token create | list | revoke``."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from siaga.api.tests.conftest import ApiClient
from siaga.core.models import ApiToken, AuditEvent


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_key_once_and_the_key_works(org: dict[str, Any]) -> None:
    out, err = run(
        "create", "--government", "33.11", "--user", "bkpsdm", "--name", "SIMPEG", "--days", "30", "--scope", "org:read"
    )
    key = out.strip()
    token = ApiToken.objects.get()
    assert key.startswith("sga_")
    assert token.prefix == key[:10]
    assert (token.name, token.user, token.government) == ("SIMPEG", org["users"]["admin"], org["government"])
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    assert key not in err
    assert err.startswith(f"Token {token.prefix} “SIMPEG” acts as bkpsdm in 33.11 until ")
    assert err.rstrip().endswith("Copy the key now: it is not shown again.")
    assert AuditEvent.objects.filter(object_type="core.apitoken", action="create", actor_label="system").count() == 1
    assert ApiClient(token=key).get("/me").json()["username"] == "bkpsdm"


def test_create_lasts_365_days_by_default(org: dict[str, Any]) -> None:
    run("create", "--government", "33.11", "--user", "kadis", "--name", "e-Kinerja", "--scope", "all")
    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + dt.timedelta(days=365))) < dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--government", "99.99", "--user", "bkpsdm"], "No active government with region code 99.99."),
        (["--government", "33.11", "--user", "siapa"], "No active user siapa."),
        (
            ["--government", "33.13", "--user", "bkpsdm"],
            "User bkpsdm has no role in 33.13 Kabupaten Karanganyar; assign a role first, or the token could "
            "not do anything.",
        ),
        (["--government", "33.11", "--user", "bkpsdm", "--days", "0"], "--days must be between 1 and 730."),
        (["--government", "33.11", "--user", "bkpsdm", "--days", "731"], "--days must be between 1 and 730."),
    ],
)
def test_create_refuses_what_cannot_work(
    org: dict[str, Any], other_government: Any, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError) as error:
        run("create", "--name", "SIMPEG", "--scope", "all", *args)
    assert str(error.value) == message
    assert ApiToken.objects.count() == 0


def test_create_refuses_an_empty_name(org: dict[str, Any]) -> None:
    with pytest.raises(CommandError) as error:
        run("create", "--government", "33.11", "--user", "bkpsdm", "--name", "  ", "--scope", "all")
    assert str(error.value) == "--name must be 1 to 80 characters."


def test_revoke_by_prefix_stops_the_token(org: dict[str, Any]) -> None:
    key = run("create", "--government", "33.11", "--user", "bkpsdm", "--name", "SIMPEG", "--scope", "all")[0].strip()
    prefix = key[:10]
    out, _err = run("revoke", prefix)
    assert out == f"Token {prefix} “SIMPEG” revoked.\n"
    assert ApiToken.objects.get().revoked_at is not None
    assert ApiClient(token=key).get("/me").status_code == 401
    with pytest.raises(CommandError) as error:
        run("revoke", prefix)
    assert str(error.value) == f"No active token with prefix {prefix}."


def test_revoke_asks_for_the_government_when_a_prefix_is_ambiguous(
    org: dict[str, Any], other_org: dict[str, Any]
) -> None:
    run("create", "--government", "33.11", "--user", "bkpsdm", "--name", "SIMPEG", "--scope", "all")
    run("create", "--government", "33.13", "--user", "admin_b", "--name", "SIMPEG", "--scope", "all")
    ApiToken.objects.update(prefix="sga_SAME00")
    with pytest.raises(CommandError) as error:
        run("revoke", "sga_SAME00")
    assert str(error.value) == "More than one token has prefix sga_SAME00; add --government."
    run("revoke", "sga_SAME00", "--government", "33.13")
    assert list(ApiToken.objects.filter(revoked_at__isnull=False).values_list("government__code", flat=True)) == [
        "33.13"
    ]


def test_list_shows_prefix_government_user_and_state(org: dict[str, Any], other_org: dict[str, Any]) -> None:
    run("create", "--government", "33.11", "--user", "bkpsdm", "--name", "SIMPEG", "--scope", "all")
    run("create", "--government", "33.13", "--user", "admin_b", "--name", "e-Kinerja", "--scope", "all")
    a, b = ApiToken.objects.order_by("government__code")
    run("revoke", b.prefix)
    out, _err = run("list")
    lines = [line.split("\t") for line in out.splitlines()]
    assert [(cols[0], cols[1], cols[2], cols[3], cols[6]) for cols in lines] == [
        (a.prefix, "33.11", "bkpsdm", "SIMPEG", "active"),
        (b.prefix, "33.13", "admin_b", "e-Kinerja", "revoked"),
    ]
    only_a = run("list", "--government", "33.11")[0].splitlines()
    assert [line.split("\t")[0] for line in only_a] == [a.prefix]
