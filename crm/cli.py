"""`litestar scores export`, and the OpenAPI security schemes (API tokens, sessions): the CRM
plugin."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click
from click import Group
from litestar import Litestar
from litestar.cli._utils import LitestarGroup
from litestar.config.app import AppConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins import CLIPluginProtocol, InitPluginProtocol
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from core import database, i18n
from core.errors import DomainError
from crm.files import export
from crm.files.formats import PartTooSmall
from crm.pull.auth import BEARER_SCHEME, SESSION_COOKIE, SESSION_SCHEME
from crm.settings import CrmSettings
from crm.source import accounts_without_external_id


class CrmPlugin(CLIPluginProtocol, InitPluginProtocol):
    """Adds the `scores` CLI group and documents bearer API tokens in the OpenAPI schema."""

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        openapi = app_config.openapi_config
        if openapi is not None:
            scheme = SecurityScheme(
                type="http",
                scheme="bearer",
                description="API token (kz_…) created by an admin under CRM export.",
            )
            session = SecurityScheme(
                type="apiKey",
                name=SESSION_COOKIE,
                security_scheme_in="cookie",
                description="A staff member's signed-in browser session (with X-CSRF-Token on "
                "writes).",
            )
            extra = Components(security_schemes={BEARER_SCHEME: scheme, SESSION_SCHEME: session})
            current = openapi.components
            openapi.components = (
                [*current, extra] if isinstance(current, list) else [current, extra]
            )
        return app_config

    def on_cli_init(self, cli: Group) -> None:
        cli.add_command(scores_group)


@click.group(name="scores", cls=LitestarGroup)
def scores_group() -> None:
    """Engagement scores."""


@scores_group.command(name="export")
@click.option(
    "--format", "format_name", required=True, help="salesforce|hubspot|hubspot-json|csv|jsonl"
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--part-max-bytes", type=int, default=None, help="Largest Salesforce part (bytes).")
def export_command(app: Litestar, format_name: str, out: Path, part_max_bytes: int | None) -> None:
    """Write every score to FILE, streaming, with a progress bar."""
    settings: CrmSettings = app.state.settings
    i18n.load_catalogs()
    i18n.set_locale(settings.default_locale)
    try:
        export.check_format(format_name)
    except DomainError as exc:
        raise click.UsageError(exc.translated()) from exc
    try:
        written = asyncio.run(_run(settings, format_name, out, part_max_bytes))
    except PartTooSmall as exc:
        raise click.ClickException(
            i18n.gettext("The part size limit cannot hold one row.")
        ) from exc
    console = Console(stderr=True)
    for path in written:
        console.print(i18n.gettext("Wrote %(path)s", path=str(path)))


async def _run(
    settings: CrmSettings, format_name: str, out: Path, part_max_bytes: int | None
) -> list[Path]:
    await database.prepare(settings)
    try:
        prepared = await export.prepare_export(format_name, settings)
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(stderr=True)) as progress:
            task = progress.add_task(i18n.gettext("Exporting scores"), total=prepared.total)
            written = await export.write_export_files(
                prepared,
                out,
                part_max_bytes or settings.crm_export_part_max_bytes,
                on_rows=lambda n: progress.advance(task, n),
            )
            progress.update(task, completed=prepared.total)
        if prepared.mapping is not None:
            missing = await accounts_without_external_id(limit=10_000)
            if missing:
                Console(stderr=True).print(
                    i18n.gettext(
                        "%(count)s accounts have no CRM id and are not in the file:",
                        count=len(missing),
                    ),
                    ", ".join(a["name"] for a in missing[:20])
                    + (" …" if len(missing) > 20 else ""),
                )
        return written
    finally:
        await database.close()
