"""Strict parsing of environment settings (siaga/env.py) and the settings module's refusals."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from siaga.env import (
    EmailConfig,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    env_timezone,
    parse_database_url,
    parse_email_url,
    redact_url,
)

ROOT = Path(__file__).resolve().parents[3]
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def raises_configured(message: str) -> Any:
    """Expect ImproperlyConfigured with exactly this message."""
    return pytest.raises(ImproperlyConfigured, match=f"^{re.escape(message)}$")


# Scalars ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("Yes", True), (" ON ", True), ("0", False), ("false", False), ("no", False)],
)
def test_env_bool_reads_the_usual_spellings_of_true_and_false(raw, expected):
    assert env_bool("DEBUG", not expected, environ={"DEBUG": raw}) is expected


@pytest.mark.parametrize("environ", [{}, {"SIAGA_HTTPS": ""}, {"SIAGA_HTTPS": "   "}])
def test_env_bool_takes_the_default_when_the_variable_is_unset_or_empty(environ):
    assert env_bool("SIAGA_HTTPS", True, environ=environ) is True


def test_env_bool_rejects_a_word_it_does_not_know_and_names_the_variable():
    with raises_configured("DEBUG='ya' is not a boolean; use one of 1/0, true/false, yes/no, on/off."):
        env_bool("DEBUG", False, environ={"DEBUG": "ya"})


def test_env_int_reads_a_whole_number_and_takes_the_default_when_empty():
    assert env_int("SESSION_HOURS", 12, minimum=1, environ={"SESSION_HOURS": " 8 "}) == 8
    assert env_int("SESSION_HOURS", 12, minimum=1, environ={"SESSION_HOURS": ""}) == 12
    assert env_int("SESSION_HOURS", 12, minimum=1, environ={}) == 12


@pytest.mark.parametrize("raw", ["ten", "1.5", "1_000", "0x10", "٣"])
def test_env_int_rejects_anything_but_plain_digits(raw):
    with raises_configured(f"UPLOAD_MAX_MB={raw!r} is not a whole number."):
        env_int("UPLOAD_MAX_MB", 10, minimum=1, environ={"UPLOAD_MAX_MB": raw})


def test_env_int_rejects_a_number_below_the_minimum():
    with raises_configured("NOTIFY_MAX_ATTEMPTS=0 is below the minimum of 1."):
        env_int("NOTIFY_MAX_ATTEMPTS", 8, minimum=1, environ={"NOTIFY_MAX_ATTEMPTS": "0"})


def test_env_list_splits_on_commas_and_strips_spaces():
    environ = {"ALLOWED_HOSTS": "siaga.sukoharjokab.go.id, 10.0.0.5 ,localhost"}
    assert env_list("ALLOWED_HOSTS", [], environ=environ) == ["siaga.sukoharjokab.go.id", "10.0.0.5", "localhost"]


def test_env_list_takes_the_default_when_the_variable_is_unset_or_empty():
    assert env_list("CSRF_TRUSTED_ORIGINS", ["https://a.example"], environ={}) == ["https://a.example"]
    assert env_list("CSRF_TRUSTED_ORIGINS", [], environ={"CSRF_TRUSTED_ORIGINS": ""}) == []


@pytest.mark.parametrize("raw", ["a.example,,b.example", "a.example,", ",a.example"])
def test_env_list_rejects_an_empty_item(raw):
    with raises_configured(f"ALLOWED_HOSTS={raw!r} has an empty item; separate values with single commas."):
        env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": raw})


def test_env_choice_accepts_only_the_listed_values():
    assert env_choice("LANGUAGE_CODE", "id", ("id", "en"), environ={"LANGUAGE_CODE": "en"}) == "en"
    assert env_choice("LANGUAGE_CODE", "id", ("id", "en"), environ={}) == "id"
    with raises_configured("LANGUAGE_CODE='jv' is not one of: id, en."):
        env_choice("LANGUAGE_CODE", "id", ("id", "en"), environ={"LANGUAGE_CODE": "jv"})


def test_env_str_strips_the_value_and_takes_the_default_when_empty():
    assert env_str("WHATSAPP_TOKEN", "", environ={"WHATSAPP_TOKEN": " abc "}) == "abc"
    assert env_str("WHATSAPP_API_URL", "https://graph.facebook.com/v21.0", environ={"WHATSAPP_API_URL": ""}) == (
        "https://graph.facebook.com/v21.0"
    )
    assert env_str("SECRET_KEY", environ={}) is None


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "UTC"])
def test_env_timezone_accepts_iana_zone_names(zone):
    assert env_timezone("TIME_ZONE", "Asia/Jakarta", environ={"TIME_ZONE": zone}) == zone


@pytest.mark.parametrize("zone", ["Mars/Base", "WIB", "../etc/passwd"])
def test_env_timezone_rejects_an_unknown_zone_and_suggests_indonesian_ones(zone):
    message = f"TIME_ZONE={zone!r} is not a known time zone; use e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura."
    with raises_configured(message):
        env_timezone("TIME_ZONE", "Asia/Jakarta", environ={"TIME_ZONE": zone})


# DATABASE_URL -------------------------------------------------------------------------------------


def test_a_sqlite_url_with_three_slashes_names_a_file_relative_to_the_working_directory():
    assert parse_database_url("sqlite:///var/siaga.sqlite3") == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "var/siaga.sqlite3",
        "OPTIONS": SQLITE_OPTIONS,
    }


def test_a_sqlite_url_with_four_slashes_names_an_absolute_file():
    assert parse_database_url("sqlite:////srv/siaga/var/siaga.sqlite3")["NAME"] == "/srv/siaga/var/siaga.sqlite3"


def test_a_postgres_url_gives_user_password_host_port_database_and_sslmode():
    config = parse_database_url("postgres://siaga:p%40ss%2Fword@db.internal:5433/siaga_prod?sslmode=verify-full")
    assert config == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "siaga_prod",
        "USER": "siaga",
        "PASSWORD": "p@ss/word",
        "HOST": "db.internal",
        "PORT": "5433",
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {"sslmode": "verify-full"},
    }


def test_a_postgres_url_may_name_a_unix_socket_directory_as_host_parameter():
    config = parse_database_url("postgresql:///siaga?host=/var/run/postgresql")
    assert (config["HOST"], config["PORT"], config["USER"], config["PASSWORD"], config["NAME"]) == (
        "/var/run/postgresql",
        "",
        "",
        "",
        "siaga",
    )
    assert config["OPTIONS"] == {}


def test_a_postgres_url_passes_the_ca_certificate_for_verify_full():
    config = parse_database_url("postgres://siaga@db/siaga?sslmode=verify-full&sslrootcert=/etc/siaga/ca.pem")
    assert config["OPTIONS"] == {"sslmode": "verify-full", "sslrootcert": "/etc/siaga/ca.pem"}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "mysql://siaga:secret@db/siaga",
            "DATABASE_URL='mysql://siaga:***@db/siaga': unsupported scheme 'mysql'; "
            "use sqlite:///FILE or postgres://USER:PASS@HOST:PORT/DB.",
        ),
        (
            "postgres://siaga:secret@db:5432/",
            "DATABASE_URL='postgres://siaga:***@db:5432/': the PostgreSQL URL names no database (postgres://…/NAME).",
        ),
        (
            "postgres://siaga:secret@db:port/siaga",
            "DATABASE_URL='postgres://siaga:***@db:port/siaga': the port is not a number from 1 to 65535.",
        ),
        (
            "postgres://siaga@db:70000/siaga",
            "DATABASE_URL='postgres://siaga@db:70000/siaga': the port is not a number from 1 to 65535.",
        ),
        (
            "postgres://db/siaga?sslmode=on",
            "DATABASE_URL: sslmode='on' is not one of: disable, allow, prefer, require, verify-ca, verify-full.",
        ),
        (
            "postgres://db/siaga?timeout=5",
            "DATABASE_URL='postgres://db/siaga?timeout=5': unknown parameters timeout; "
            "only host=, sslmode= and sslrootcert= are known.",
        ),
        (
            "postgres://db/siaga?host=/run/postgresql",
            "DATABASE_URL='postgres://db/siaga?host=/run/postgresql': "
            "give the host either before the database name or as ?host=, not both.",
        ),
        (
            "postgres://db/siaga?sslmode=require&sslmode=disable",
            "DATABASE_URL='postgres://db/siaga?sslmode=require&sslmode=disable': "
            "the parameter sslmode= is given twice.",
        ),
        (
            "sqlite://var/siaga.sqlite3",
            "DATABASE_URL='sqlite://var/siaga.sqlite3': "
            "write SQLite URLs as sqlite:///relative/file or sqlite:////absolute/file.",
        ),
        ("sqlite:///", "DATABASE_URL='sqlite:///': the SQLite URL has no file name."),
        ("sqlite:///var/", "DATABASE_URL='sqlite:///var/': the SQLite URL has no file name."),
        ("sqlite:///x.db?mode=ro", "DATABASE_URL='sqlite:///x.db?mode=ro': SQLite URLs take no parameters."),
        (
            "postgres://siaga:secret@[::1/siaga",
            "DATABASE_URL='postgres://***@[::1/siaga' is not a valid URL: Invalid IPv6 URL.",
        ),
        (
            "/var/lib/siaga.sqlite3",
            "DATABASE_URL='/var/lib/siaga.sqlite3': unsupported scheme ''; "
            "use sqlite:///FILE or postgres://USER:PASS@HOST:PORT/DB.",
        ),
    ],
)
def test_a_bad_database_url_is_refused_with_a_message_that_hides_the_password(url, message):
    with raises_configured(message):
        parse_database_url(url)


# EMAIL_URL ----------------------------------------------------------------------------------------


def test_an_smtp_url_gives_host_port_and_credentials_without_tls():
    assert parse_email_url("smtp://siaga%40kab.go.id:rah%2Fasia@mail.kab.go.id") == EmailConfig(
        backend="django.core.mail.backends.smtp.EmailBackend",
        host="mail.kab.go.id",
        port=25,
        user="siaga@kab.go.id",
        password="rah/asia",
        use_tls=False,
        use_ssl=False,
        from_email=None,
    )


def test_an_smtp_tls_url_uses_starttls_on_port_587_by_default():
    config = parse_email_url("smtp+tls://u:p@mail.kab.go.id")
    assert (config.port, config.use_tls, config.use_ssl) == (587, True, False)


def test_an_smtps_url_uses_tls_from_the_start_on_port_465_by_default():
    config = parse_email_url("smtps://u:p@mail.kab.go.id")
    assert (config.port, config.use_tls, config.use_ssl) == (465, False, True)


def test_an_explicit_port_overrides_the_default_of_the_scheme():
    assert parse_email_url("smtp+tls://mail.kab.go.id:2525").port == 2525


def test_the_sender_address_may_be_given_with_a_display_name_as_from_parameter():
    config = parse_email_url("smtp://mail.kab.go.id?from=Siaga+Sukoharjo+%3Csiaga%40sukoharjokab.go.id%3E")
    assert config.from_email == "Siaga Sukoharjo <siaga@sukoharjokab.go.id>"


def test_the_console_url_prints_mail_and_also_takes_a_sender():
    assert parse_email_url("console:") == EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
    assert parse_email_url("console:?from=siaga@localhost").from_email == "siaga@localhost"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "imap://u:secret@mail.kab.go.id",
            "EMAIL_URL='imap://u:***@mail.kab.go.id': unsupported scheme 'imap'; "
            "use smtp://, smtp+tls://, smtps:// or console:.",
        ),
        ("smtp://:25", "EMAIL_URL='smtp://:25': the SMTP URL names no host (smtp://HOST:PORT)."),
        (
            "smtp://u:secret@mail.kab.go.id:smtp",
            "EMAIL_URL='smtp://u:***@mail.kab.go.id:smtp': the port is not a number from 1 to 65535.",
        ),
        ("smtp://mail.kab.go.id:0", "EMAIL_URL='smtp://mail.kab.go.id:0': the port is not a number from 1 to 65535."),
        ("smtp://mail.kab.go.id?from=siaga", "EMAIL_URL: from='siaga' is not an e-mail address."),
        ("smtp://mail.kab.go.id?from=", "EMAIL_URL: from='' is not an e-mail address."),
        (
            "smtp://u:secret@mail.kab.go.id?tls=1",
            "EMAIL_URL='smtp://u:***@mail.kab.go.id?tls=1': unknown parameters tls; only from= is known.",
        ),
        ("console:?verbose", "EMAIL_URL='console:?verbose': unknown parameters verbose; only from= is known."),
    ],
)
def test_a_bad_email_url_is_refused_with_a_message_naming_the_variable(url, message):
    with raises_configured(message):
        parse_email_url(url)


def test_redact_url_hides_only_the_password():
    assert redact_url("postgres://siaga:secret@db:5432/siaga") == "postgres://siaga:***@db:5432/siaga"
    assert redact_url("postgres://siaga@db/siaga") == "postgres://siaga@db/siaga"


# The settings module as a whole ---------------------------------------------------------------------


def _import_settings(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter with a controlled environment."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "siaga.settings",
        "SIAGA_VAR_DIR": str(tmp_path),
        "ALLOWED_HOSTS": "siaga.example.go.id",
        "SECRET_KEY": "a-production-secret-key-that-is-long-enough-0123",
        "DEBUG": "false",
    }
    env.update(overrides)
    env = {key: value for key, value in env.items() if value != "<unset>"}
    code = "import django; django.setup(); from django.conf import settings; print(settings.TIME_ZONE)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_settings_load_in_production_mode_with_a_secret_key_and_allowed_hosts(tmp_path):
    result = _import_settings(tmp_path, TIME_ZONE="Asia/Makassar")
    assert (result.returncode, result.stdout, result.stderr) == (0, "Asia/Makassar\n", "")


def test_settings_refuse_to_start_in_production_mode_without_a_secret_key(tmp_path):
    result = _import_settings(tmp_path, SECRET_KEY="<unset>")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set. "
        "Set it to a long random string (DEBUG is off, so no development key is used)."
    )


def test_settings_refuse_an_unknown_time_zone(tmp_path):
    result = _import_settings(tmp_path, TIME_ZONE="Mars/Base")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: TIME_ZONE='Mars/Base' is not a known time zone; "
        "use e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura."
    )
