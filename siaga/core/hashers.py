"""Password hashing: Argon2id with the parameters of OWASP's Password Storage Cheat Sheet.

Django's default Argon2 parameters (100 MiB, 2 passes, 8 lanes) cost about 240 ms of CPU per sign-in on
the 2-core server this is sized for; a regency's morning brings about 1,400 sign-ins in a quarter of an
hour (docs/load.md). OWASP's recommended minimum for Argon2id, 19 MiB of memory, 2 passes and 1 lane,
costs about 20 ms and is what the hashes are made with. Hashes made with other parameters still verify,
and are rehashed with these at the next sign-in (Django's ``must_update``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class SiagaArgon2PasswordHasher(Argon2PasswordHasher):
    # the algorithm name stays "argon2": the parameters are part of each hash
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
