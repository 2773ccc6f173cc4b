"""Signed webhooks: endpoints and the events they get, deliveries and retries, signing, and
the staff pages."""
