"""CRM export: score files, the pull API, signed webhooks and direct Salesforce/HubSpot pushes."""
