"""The special-category flags schools report on, with one wording everywhere."""
from __future__ import annotations

# SEN status codes used by every English MIS: N none, K SEN support, E EHC plan.
SEND_NAMES = {"N": "No SEND", "K": "SEN support", "E": "EHC plan"}
SEND_CODES = ("K", "E")  # the codes that mean the pupil has special educational needs


def has_send(code: str) -> bool:
    """SEN support (K) or an EHC plan (E)."""
    return code in SEND_CODES


def send_label(code: str) -> str:
    """"K" -> "SEN support (K)"."""
    return f"{SEND_NAMES.get(code, code)} ({code})"
