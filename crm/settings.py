"""The settings of the CRM export: the pull API, webhook targets, Salesforce and HubSpot."""

from __future__ import annotations

from pydantic import SecretStr

from core.settings import CoreSettings


class CrmSettings(CoreSettings):
    """The settings of the CRM export: the pull API, webhook targets, Salesforce and HubSpot."""

    webhook_allow_private_targets: bool = False
    """Let webhook and CRM URLs reach private, loopback or link-local addresses (tests)."""
    api_token_rate_limit_per_minute: int = 600
    """Requests per minute one API token may make before 429."""
    scores_api_settle_seconds: float = 5.0
    """The pull API serves only scores updated this long ago, so a late commit is never skipped."""
    crm_export_part_max_bytes: int = 100 * 1024 * 1024
    """Largest Salesforce CSV part (Bulk API 2.0 takes at most 100 MB of CSV per job)."""
    crm_poll_interval_seconds: float = 10.0
    """Wait between two polls of a Salesforce Bulk API job."""
    salesforce_login_url: str | None = None
    """Salesforce token endpoint host, e.g. https://login.salesforce.com; unset: admin settings."""
    salesforce_client_id: str | None = None
    """Connected app consumer key."""
    salesforce_client_secret: SecretStr | None = None
    """Connected app consumer secret."""
    salesforce_username: str | None = None
    """Integration user (username-password flow); unset means the client-credentials flow."""
    salesforce_password: SecretStr | None = None
    """Integration user's password followed by its security token."""
    salesforce_api_version: str = "v62.0"
    """REST API version used for Bulk API 2.0 ingest."""
    hubspot_access_token: SecretStr | None = None
    """HubSpot private app access token; unset: admin settings."""
    hubspot_base_url: str = "https://api.hubapi.com"
    """HubSpot API base URL."""
