"""Setting up a government from the command line: government, first admin, roles."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from siaga.core.access import actor_for_user
from siaga.core.models import Government, Role

pytestmark = pytest.mark.django_db


def authenticate(*, username, password):
    user = get_user_model().objects.get(username=username)
    return user if user.check_password(password) else None


def run(*args, stdin=""):
    out = io.StringIO()
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        call_command(*args, stdout=out)
    finally:
        sys.stdin = old
    return out.getvalue()


def test_a_pemda_registers_itself_and_its_first_admin_who_can_log_in():
    out = run("government", "create", "33.11", "Kabupaten Sukoharjo", "--kind", "kabupaten")
    assert out.strip() == "Registered Kabupaten Sukoharjo (33.11)."
    out = run(
        "user",
        "create",
        "bkpsdm",
        "--government",
        "33.11",
        "--role",
        "admin",
        "--password-stdin",
        stdin="Sukoharjo-Makmur-2020\n",
    )
    assert out.strip() == "Created bkpsdm in 33.11; roles: admin."
    user = authenticate(username="bkpsdm", password="Sukoharjo-Makmur-2020")
    assert user is not None
    assert actor_for_user(user).roles == {Role.ADMIN}
    assert "33.11  Kabupaten Sukoharjo" in run("government", "list")


def test_a_bad_region_code_or_weak_password_is_refused_with_the_reason():
    with pytest.raises(CommandError, match=r"code: The region code must look like 33\.11\."):
        run("government", "create", "3311", "Kabupaten Sukoharjo", "--kind", "kabupaten")
    assert not Government.objects.exists()
    run("government", "create", "33.11", "Kabupaten Sukoharjo", "--kind", "kabupaten")
    with pytest.raises(CommandError, match="too short"):
        run("user", "create", "bkpsdm", "--government", "33.11", "--role", "admin", "--password-stdin", stdin="abc\n")
    with pytest.raises(CommandError, match=r"No government with code 99\.99"):
        run("user", "create", "x", "--government", "99.99", "--password-stdin", stdin="Sukoharjo-Makmur-2020\n")


def test_roles_are_given_and_taken_per_government():
    run("government", "create", "33.11", "Kabupaten Sukoharjo", "--kind", "kabupaten")
    run("user", "create", "satgas", "--government", "33.11", "--password-stdin", stdin="Sukoharjo-Makmur-2020\n")
    run("user", "role", "satgas", "--government", "33.11", "--role", "health")
    user = authenticate(username="satgas", password="Sukoharjo-Makmur-2020")
    assert actor_for_user(user).roles == {Role.HEALTH}
    run("user", "unrole", "satgas", "--government", "33.11", "--role", "health")
    assert actor_for_user(user).roles == frozenset()
