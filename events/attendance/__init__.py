"""Attendance: check-in, imported Zoom and Teams reports (`parsing`, `formats` to tell them
apart, one module per format, `imports` to apply one), no-shows, feedback and the roster."""
