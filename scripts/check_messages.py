"""Fail when a UI message has no Indonesian translation.

Extracts the messages of the code into a copy of the catalogues (the tree is not touched), then
lists every ``id`` entry that is untranslated or fuzzy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = [".venv/*", "var/*", "*/tests/*", "tests/*", "bench/*", "scripts/*", "conftest.py"]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        locale = Path(tmp) / "locale"
        shutil.copytree(ROOT / "locale", locale)
        env = dict(os.environ, SIAGA_LOCALE_DIR=str(locale), DEBUG="1")
        cmd = [sys.executable, "-m", "siaga.cli", "makemessages", "-l", "id", "--no-obsolete", "-v0"]
        cmd += [f"--ignore={pattern}" for pattern in IGNORE]
        subprocess.run(cmd, cwd=ROOT, env=env, check=True)
        po = locale / "id" / "LC_MESSAGES" / "django.po"
        problems = []
        for flag, label in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy")):
            out = subprocess.run(
                ["msgattrib", flag, "--no-obsolete", "--no-wrap", str(po)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            entries = [line[7:-1] for line in out.splitlines() if line.startswith('msgid "') and line != 'msgid ""']
            problems += [f"{label}: {entry}" for entry in entries]
        if problems:
            print(f"{len(problems)} message(s) lack an Indonesian translation in locale/id/LC_MESSAGES/django.po:")
            print("\n".join(f"  {p}" for p in problems[:200]))
            print("Run `make messages`, translate them, and commit the catalogue.")
            return 1
    print("Indonesian catalogue complete.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
