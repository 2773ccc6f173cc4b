"""The pull API: score endpoints, API tokens and bearer authentication."""
