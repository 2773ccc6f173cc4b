"""Direct pushes to Salesforce and HubSpot: sync runs, their steps and the stored credentials."""
