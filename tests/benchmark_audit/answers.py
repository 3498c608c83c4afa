"""Form data for the benchmark audit's inline forms."""
from __future__ import annotations


def answer_data(key: str, rating: str, evidence: str = "") -> dict:
    """Form data for one criterion's inline form (its fields carry the criterion's prefix)."""
    return {f"{key}-rating": rating, f"{key}-evidence": evidence}
