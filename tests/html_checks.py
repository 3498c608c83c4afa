"""Reading a rendered page the way assistive technology does: which fieldset groups a set of
radios or checkboxes, what its legend says, and what its aria-describedby points at."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Group:
    attrs: dict[str, str]
    legend: str = ""
    inputs: list[dict[str, str]] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text_by_id: dict[str, str] = {}
        self.groups: list[Group] = []
        self._open: list[tuple[str, str | None]] = []  # (tag, id) of open elements
        self._fieldsets: list[Group] = []
        self._in_legend = False

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if attrs.get("id"):
            self.text_by_id.setdefault(attrs["id"], "")
        if tag == "fieldset":
            group = Group(attrs)
            self.groups.append(group)
            self._fieldsets.append(group)
        elif tag == "legend":
            self._in_legend = True
        elif tag == "input" and self._fieldsets:
            self._fieldsets[-1].inputs.append(attrs)
        if tag not in VOID:
            self._open.append((tag, attrs.get("id")))

    def handle_endtag(self, tag):
        if tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()
        if tag == "legend":
            self._in_legend = False
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.text_by_id[element_id] += data
        if self._in_legend and self._fieldsets:
            self._fieldsets[-1].legend += data


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def choice_group(html: str, name: str) -> tuple[Group, str]:
    """The fieldset holding the inputs called `name`, and the text its aria-describedby names."""
    reader = read(html)
    found = [g for g in reader.groups if any(i.get("name") == name for i in g.inputs)]
    assert found, f"no fieldset holds inputs named {name!r}"
    group = found[0]
    described = " ".join(reader.text_by_id.get(i, "") for i in
                         group.attrs.get("aria-describedby", "").split())
    return group, " ".join(described.split())


def summary_targets(html: str) -> dict[str, bool]:
    """Each error-summary link's #target, and whether an element on the page has that id."""
    reader = read(html)
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    targets = re.findall(r'href="#([^"]+)"', summary.group(0)) if summary else []
    return {target: target in reader.text_by_id for target in targets}
