"""The special-category flags schools report on, with one wording everywhere."""
from __future__ import annotations

# SEN status codes used by every English MIS: N none, K SEN support, E EHC plan.
SEND_NAMES = {"N": "No SEND", "K": "SEN support", "E": "EHC plan"}


def send_label(code: str) -> str:
    """"K" -> "SEN support (K)"."""
    return f"{SEND_NAMES.get(code, code)} ({code})"
