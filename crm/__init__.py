"""CRM export: score files, the pull API, signed webhooks and direct Salesforce/HubSpot pushes.

Importing the package registers `emit_score_events` with core.hooks, in the app and in the
worker alike (both import crm.jobs, which imports this package first).
"""

from crm.webhooks import emit_score_events

__all__ = ["emit_score_events"]
