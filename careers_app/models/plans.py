"""Models for the plans feature."""
from __future__ import annotations
