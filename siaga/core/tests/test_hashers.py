"""Passwords are hashed with Argon2id at OWASP's parameters; older hashes still sign in and are upgraded."""

from __future__ import annotations

import argon2
import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, identify_hasher, make_password

pytestmark = pytest.mark.real_hashing


def test_a_new_hash_is_argon2id_with_owasps_parameters() -> None:
    encoded = make_password("Sukoharjo-2020!")
    assert identify_hasher(encoded).__class__.__name__ == "SiagaArgon2PasswordHasher"
    params = argon2.extract_parameters(encoded.removeprefix("argon2"))
    assert (params.type, params.memory_cost, params.time_cost, params.parallelism) == (argon2.Type.ID, 19456, 2, 1)
    assert check_password("Sukoharjo-2020!", encoded)
    assert not check_password("sukoharjo-2020!", encoded)


def test_a_hash_with_djangos_default_parameters_still_signs_in_and_is_rehashed() -> None:
    old = Argon2PasswordHasher().encode("Sukoharjo-2020!", Argon2PasswordHasher().salt())
    assert argon2.extract_parameters(old.removeprefix("argon2")).memory_cost == 102400
    upgraded: list[str] = []
    assert check_password("Sukoharjo-2020!", old, setter=lambda raw: upgraded.append(make_password(raw)))
    assert len(upgraded) == 1
    assert argon2.extract_parameters(upgraded[0].removeprefix("argon2")).memory_cost == 19456
