"""Strict parsing of environment settings.

Every helper raises ``ImproperlyConfigured`` with a message that names the variable, the value and
what is accepted, so a bad deployment fails at start instead of misbehaving later.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, environ: dict[str, str] | None = None) -> str | None:
    source = os.environ if environ is None else environ
    return source.get(name)


def env_str(name: str, default: str | None = None, *, environ: dict[str, str] | None = None) -> str | None:
    value = _raw(name, environ)
    return default if value is None else value.strip()


def env_bool(name: str, default: bool, *, environ: dict[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int, *, minimum: int | None = None, environ: dict[str, str] | None = None) -> int:
    value = _raw(name, environ)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
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
    value = value.strip()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


def env_timezone(name: str, default: str, *, environ: dict[str, str] | None = None) -> str:
    value = env_str(name, default, environ=environ) or default
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a known time zone; use e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura."
        ) from None
    return value


def parse_database_url(url: str, *, name: str = "DATABASE_URL") -> dict[str, Any]:
    """Turn ``sqlite:///path`` or ``postgres://user:pass@host:port/db`` into a Django DATABASES entry."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parts.path)
        if parts.netloc:
            raise ImproperlyConfigured(f"{name}: write SQLite URLs as sqlite:///relative or sqlite:////absolute.")
        if path.startswith("/"):
            path = path[1:]
        if not path:
            raise ImproperlyConfigured(f"{name}: the SQLite URL has no file name.")
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
            raise ImproperlyConfigured(f"{name}: the PostgreSQL URL names no database (postgres://…/NAME).")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        host = unquote(parts.hostname or "") or query.pop("host", "")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name}: the port is not a number.") from None
        options: dict[str, Any] = {}
        if "sslmode" in query:
            options["sslmode"] = query.pop("sslmode")
        if query:
            raise ImproperlyConfigured(f"{name}: unknown parameters {', '.join(sorted(query))}.")
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
        f"{name}={url!r}: unsupported scheme {scheme!r}; use sqlite:///FILE or postgres://USER:PASS@HOST:PORT/DB."
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


def parse_email_url(url: str, *, name: str = "EMAIL_URL") -> EmailConfig:
    """``smtp://user:pass@host:25``, ``smtp+tls://…:587`` (STARTTLS), ``smtps://…:465``, ``console:``."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return EmailConfig(backend="django.core.mail.backends.console.EmailBackend")
    if scheme not in _EMAIL_SCHEMES:
        raise ImproperlyConfigured(
            f"{name}={url!r}: unsupported scheme {scheme!r}; use smtp://, smtp+tls://, smtps:// or console:."
        )
    use_tls, use_ssl, default_port = _EMAIL_SCHEMES[scheme]
    if not parts.hostname:
        raise ImproperlyConfigured(f"{name}: the SMTP URL names no host (smtp://HOST:PORT).")
    try:
        port = parts.port or default_port
    except ValueError:
        raise ImproperlyConfigured(f"{name}: the port is not a number.") from None
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    from_email = query.pop("from", None)
    if from_email is not None and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+|.+<[^@\s<>]+@[^@\s<>]+>", from_email):
        raise ImproperlyConfigured(f"{name}: from={from_email!r} is not an e-mail address.")
    if query:
        raise ImproperlyConfigured(f"{name}: unknown parameters {', '.join(sorted(query))}; only from= is known.")
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
