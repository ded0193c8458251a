"""Check the pinned dependencies (requirements.lock) against PyPI's vulnerability data with pip-audit.

Exit status: 1 when a pinned package has a known vulnerability; 0 otherwise. When the vulnerability
service cannot be reached (offline build, a mirror without PyPI's JSON API), pip-audit skips the
packages it could not look up; this script then says so loudly and lists them instead of printing
"no known vulnerabilities". Set SIAGA_PIP_AUDIT_STRICT=1 (as CI should) to fail in that case too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"


def main() -> int:
    strict = os.environ.get("SIAGA_PIP_AUDIT_STRICT", "") not in ("", "0", "false")
    command = [
        str(Path(sys.executable).parent / "pip-audit"),
        *("-r", str(LOCK), "--no-deps", "--disable-pip", "--progress-spinner", "off", "-f", "json"),
    ]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        print("pip-audit: the vulnerability service did not answer within 10 minutes; nothing was audited.")
        return 1 if strict else 0
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        print(f"pip-audit could not run or reach the vulnerability service; nothing was audited: {tail}")
        return 1 if strict else 0
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            print(f"VULNERABLE {dep['name']}=={dep['version']}: {vuln['id']} (fixed in: {fixed})")
    audited = len(dependencies) - len(skipped)
    print(f"pip-audit: {audited} of {len(dependencies)} pinned packages audited, {len(vulnerable)} vulnerable.")
    if skipped:
        names = ", ".join(sorted(d["name"] for d in skipped))
        print(
            f"WARNING: {len(skipped)} packages could NOT be audited (the vulnerability service did not know "
            f"them or could not be reached): {names}"
        )
    if vulnerable:
        return 1
    return 1 if (skipped and strict) else 0


if __name__ == "__main__":
    sys.exit(main())
