"""Strict parsing of environment settings.

Every helper raises ``ImproperlyConfigured`` with a message that names the variable, the value and
what is accepted, so a bad deployment fails at start instead of misbehaving later. A variable that is
unset or set to an empty string takes its default (``FOO=`` in an environment file means "default").
Passwords inside URLs never appear in a message.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def _raw(name: str, environ: dict[str, str] | None = None) -> str | None:
    """The stripped value of a variable, or None when it is unset or empty."""
    source = os.environ if environ is None else environ
    value = source.get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def env_str(name: str, default: str | None = None, *, environ: dict[str, str] | None = None) -> str | None:
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, *, environ: dict[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None, environ: dict[str, str] | None = None) -> int:
    value = _raw(name, environ)
    if value is None:
        return default
    if not re.fullmatch(r"[+-]?[0-9]+", value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.")
    number = int(value)
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_list(name: str, default: list[str], *, environ: dict[str, str] | None = None) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item; separate values with single commas.")
    return items


def env_choice(name: str, default: str, choices: tuple[str, ...], *, environ: dict[str, str] | None = None) -> str:
    value = _raw(name, environ)
    if value is None:
        return default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


def env_time(name: str, default: str, *, environ: dict[str, str] | None = None) -> dt.time:
    """A time of day written ``HH:MM`` (e.g. ``12:00``)."""
    value = _raw(name, environ) or default
    if not re.fullmatch(r"[0-2][0-9]:[0-5][0-9]", value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a time of day; write it as HH:MM, e.g. {default}.")
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a time of day; write it as HH:MM, e.g. {default}."
        ) from None


def env_timezone(name: str, default: str, *, environ: dict[str, str] | None = None) -> str:
    value = env_str(name, default, environ=environ) or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a known time zone; use e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura."
        ) from None
    return value


def redact_url(url: str) -> str:
    """The URL with its password replaced by ``***``, fit for an error message or a log."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # unparsable: hide everything between "//" and the last "@"
        return re.sub(r"//[^/]*@", "//***@", url)
    if password is None:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{hostport}"))


def _split(url: str, name: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        parts.hostname  # noqa: B018 - raises on a malformed IPv6 address
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={redact_url(url)!r} is not a valid URL: {exc}.") from None
    return parts


def _query(url: str, parts: SplitResult, name: str) -> dict[str, str]:
    """The query parameters of a settings URL; a parameter given twice is an error."""
    query: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in query:
            raise ImproperlyConfigured(f"{name}={redact_url(url)!r}: the parameter {key}= is given twice.")
        query[key] = value
    return query


def _port(url: str, parts: SplitResult, name: str) -> int | None:
    try:
        port = parts.port
    except ValueError:
        raise ImproperlyConfigured(f"{name}={redact_url(url)!r}: the port is not a number from 1 to 65535.") from None
    if port == 0:
        raise ImproperlyConfigured(f"{name}={redact_url(url)!r}: the port is not a number from 1 to 65535.")
    return port


POSTGRES_SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")


def parse_database_url(url: str, *, name: str = "DATABASE_URL") -> dict[str, Any]:
    """Turn a database URL into a Django ``DATABASES`` entry.

    - ``sqlite:///relative/path.sqlite3`` (relative to the working directory) or
      ``sqlite:////absolute/path.sqlite3``;
    - ``postgres://USER:PASSWORD@HOST:PORT/NAME?sslmode=verify-full&sslrootcert=/path/ca.pem``, or
      ``postgres:///NAME?host=/var/run/postgresql`` for a unix socket (``postgresql://`` works too).
    """
    parts = _split(url, name)
    scheme = parts.scheme.lower()
    shown = redact_url(url)
    if scheme == "sqlite":
        path = unquote(parts.path)
        if parts.netloc:
            raise ImproperlyConfigured(
                f"{name}={shown!r}: write SQLite URLs as sqlite:///relative/file or sqlite:////absolute/file."
            )
        if parts.query:
            raise ImproperlyConfigured(f"{name}={shown!r}: SQLite URLs take no parameters.")
        if path.startswith("/"):
            path = path[1:]
        if not path or path.endswith("/"):
            raise ImproperlyConfigured(f"{name}={shown!r}: the SQLite URL has no file name.")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ImproperlyConfigured(f"{name}={shown!r}: the PostgreSQL URL names no database (postgres://…/NAME).")
        query = _query(url, parts, name)
        port = _port(url, parts, name)
        host = unquote(parts.hostname or "")
        if "host" in query:
            if host:
                raise ImproperlyConfigured(
                    f"{name}={shown!r}: give the host either before the database name or as ?host=, not both."
                )
            host = query.pop("host")
        options: dict[str, Any] = {}
        if "sslmode" in query:
            sslmode = query.pop("sslmode")
            if sslmode not in POSTGRES_SSLMODES:
                raise ImproperlyConfigured(
                    f"{name}: sslmode={sslmode!r} is not one of: {', '.join(POSTGRES_SSLMODES)}."
                )
            options["sslmode"] = sslmode
        if "sslrootcert" in query:
            options["sslrootcert"] = query.pop("sslrootcert")
        if query:
            raise ImproperlyConfigured(
                f"{name}={shown!r}: unknown parameters {', '.join(sorted(query))}; "
                "only host=, sslmode= and sslrootcert= are known."
            )
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": database,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": host,
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(
        f"{name}={shown!r}: unsupported scheme {scheme!r}; use sqlite:///FILE or postgres://USER:PASS@HOST:PORT/DB."
    )


@dataclass(frozen=True)
class EmailConfig:
    backend: str
    host: str = ""
    port: int = 0
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    from_email: str | None = None


_EMAIL_SCHEMES = {
    "smtp": (False, False, 25),
    "smtp+tls": (True, False, 587),
    "submission": (True, False, 587),
    "smtps": (False, True, 465),
}
_FROM_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+|[^<>]+<[^@\s<>]+@[^@\s<>]+>")


def parse_email_url(url: str, *, name: str = "EMAIL_URL") -> EmailConfig:
    """``smtp://user:pass@host:25``, ``smtp+tls://…:587`` (STARTTLS), ``smtps://…:465`` (TLS from the
    start) or ``console:`` (print mails, for development); each may end in ``?from=ADDRESS``."""
    parts = _split(url, name)
    scheme = parts.scheme.lower()
    shown = redact_url(url)
    if scheme != "console" and scheme not in _EMAIL_SCHEMES:
        raise ImproperlyConfigured(
            f"{name}={shown!r}: unsupported scheme {scheme!r}; use smtp://, smtp+tls://, smtps:// or console:."
        )
    query = _query(url, parts, name)
    from_email = query.pop("from", None)
    if from_email is not None and not _FROM_ADDRESS.fullmatch(from_email.strip()):
        raise ImproperlyConfigured(f"{name}: from={from_email!r} is not an e-mail address.")
    if query:
        raise ImproperlyConfigured(
            f"{name}={shown!r}: unknown parameters {', '.join(sorted(query))}; only from= is known."
        )
    from_email = from_email.strip() if from_email is not None else None
    if scheme == "console":
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend", from_email=from_email)
    use_tls, use_ssl, default_port = _EMAIL_SCHEMES[scheme]
    if not parts.hostname:
        raise ImproperlyConfigured(f"{name}={shown!r}: the SMTP URL names no host (smtp://HOST:PORT).")
    port = _port(url, parts, name) or default_port
    return EmailConfig(
        backend="django.core.mail.backends.smtp.EmailBackend",
        host=parts.hostname,
        port=port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=use_tls,
        use_ssl=use_ssl,
        from_email=from_email,
    )
