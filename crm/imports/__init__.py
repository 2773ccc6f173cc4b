"""Pulls from the CRM: accounts and renewal outcomes read through the export's connections."""
