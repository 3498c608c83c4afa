"""Vendored assets: htmx pinned with its licence; nothing is loaded from another site."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HTMX_VERSION = "2.0.11"


def test_htmx_is_vendored_pinned_and_licensed():
    htmx = (ROOT / "static" / "vendor" / "htmx.min.js").read_text()
    assert f'version:"{HTMX_VERSION}"' in htmx
    assert "Zero-Clause BSD" in (ROOT / "static" / "vendor" / "htmx.LICENSE").read_text()
    assert HTMX_VERSION in (ROOT / "static" / "vendor" / "README.md").read_text()


def test_no_template_loads_anything_from_another_site():
    pattern = re.compile(r'(?:src|href)="(?:https?:)?//', re.I)
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "templates").rglob("*.html")
                 if pattern.search(path.read_text())]
    assert offenders == []
