"""The shared organisation directory of a trust or partnership (issue 15): /organisations."""
