"""Shared events of a trust or partnership (issue 15): /shared-events."""
