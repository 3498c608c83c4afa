"""Models for the reports feature."""
from __future__ import annotations
