"""The local semgrep rules catch what they are for (run on deliberately bad code)."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEMGREP = shutil.which("semgrep") or str(Path(sys.executable).parent / "semgrep")


def run_semgrep(*targets):
    if not os.path.exists(SEMGREP):
        if os.environ.get("CI") == "true":
            pytest.fail("semgrep must be installed in CI")
        pytest.skip("semgrep not installed")
    result = subprocess.run(
        [SEMGREP, "scan", "--metrics=off", "--disable-version-check", "--json", "--quiet",
         "--config", str(ROOT / ".semgrep.yml"), *map(str, targets)],
        capture_output=True, text=True, cwd=ROOT, timeout=300)
    return json.loads(result.stdout)["results"]


def test_rules_catch_the_bad_examples():
    fixtures = ROOT / "tests" / "fixtures" / "semgrep"
    found = {(r["check_id"].rsplit(".", 1)[-1], r["start"]["line"]) for r in run_semgrep(fixtures)}
    assert ("no-unvalidated-redirect", 7) in found
    assert ("no-unvalidated-redirect", 12) in found
    assert ("no-render-template-string-with-variables", 16) in found
    assert ("no-markup-of-variables", 20) in found
    assert ("no-safe-filter-in-templates", 1) in found


def test_the_app_itself_is_clean():
    assert run_semgrep(ROOT / "careers_app", ROOT / "templates") == []


BANDIT = shutil.which("bandit") or str(Path(sys.executable).parent / "bandit")


def run_bandit(target):
    if not os.path.exists(BANDIT):
        if os.environ.get("CI") == "true":
            pytest.fail("bandit must be installed in CI")
        pytest.skip("bandit not installed")
    result = subprocess.run([BANDIT, "-q", "-r", str(target), "-ll", "-f", "json"],
                            capture_output=True, text=True, cwd=ROOT, timeout=300)
    return json.loads(result.stdout)["results"]


def test_bandit_reports_medium_and_above():
    issues = run_bandit(ROOT / "tests" / "fixtures" / "semgrep" / "bad_bandit.py")
    assert {issue["test_id"] for issue in issues} >= {"B602"}


def test_bandit_finds_nothing_medium_or_above_in_the_app():
    assert run_bandit(ROOT / "careers_app") == []
