"""Models for the roster feature."""
from __future__ import annotations
