"""`siaga check --deploy` with the production configuration of deploy/siaga.env.example (as an operator
fills it in) reports nothing: no warning, no error."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIAGA = ROOT / ".venv" / "bin" / "siaga"


def production_env(tmp_path: Path, **changes: str) -> Path:
    """The example configuration with what the guide says to fill in: a secret key, and here a data
    directory and a database in the temporary directory (a check does not connect to the database)."""
    text = (ROOT / "deploy" / "siaga.env.example").read_text()
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SIAGA_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'siaga.sqlite3'}",
        "METRICS_TOKEN": secrets.token_urlsafe(32),
        **changes,
    }
    for name, value in values.items():
        text, count = re.subn(rf"(?m)^{name}=.*$", f"{name}={value}", text)
        if not count:
            text += f"{name}={value}\n"
    path = tmp_path / "siaga.env"
    path.write_text(text)
    return path


def check_deploy(env_file: Path) -> subprocess.CompletedProcess[str]:
    """Load the file the way siaga-admin and systemd do (sh: set -a; . FILE) in a clean environment."""
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    return subprocess.run(
        ["sh", "-c", f'set -a; . "{env_file}"; set +a; exec "{SIAGA}" check --deploy --fail-level WARNING'],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_example_production_configuration_passes_the_deploy_check(tmp_path: Path) -> None:
    result = check_deploy(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    # The one silenced check is HSTS preloading, the operator's decision (SECURE_HSTS_PRELOAD).
    assert result.stdout.strip() == "System check identified no issues (1 silenced)."
    assert "WARNING" not in result.stderr and "ERROR" not in result.stderr


def test_with_hsts_preload_nothing_is_silenced(tmp_path: Path) -> None:
    result = check_deploy(production_env(tmp_path, SECURE_HSTS_PRELOAD="true"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_the_check_fails_when_https_is_turned_off(tmp_path: Path) -> None:
    """The same check catches a configuration that is not production-safe."""
    result = check_deploy(production_env(tmp_path, SIAGA_HTTPS="false"))
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_the_example_without_a_secret_key_refuses_to_start(tmp_path: Path) -> None:
    env_file = production_env(tmp_path)
    env_file.write_text(re.sub(r"(?m)^SECRET_KEY=.*$", "SECRET_KEY=", env_file.read_text()))
    result = check_deploy(env_file)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
