"""A pupil's self check-in at a shared event (issue 15): /checkin."""
