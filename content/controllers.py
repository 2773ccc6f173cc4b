"""Content pages: the member's library and items (opened through tracked links, marked done),
the staff's library editor, and the member's library as JSON.

Handlers are thin: call content.services, render or redirect.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from accounts.audience import parse_tiers
from accounts.queries import account_choices
from content import services
from content.hooks import CONTENT_COMPLETED
from content.rows import ContentRow
from content.schemas import ContentIn, ContentList, ContentOut
from content.tables import ContentKind
from core.errors import DomainError
from core.forms import as_list, form_failure, read_form, validate
from core.guards import requires_member, requires_staff
from core.i18n import N_, lazy
from core.ids import PathId
from core.problems import SIGNED_IN, WRITE, problem_responses
from core.web import flash, redirect
from core.wiring import Wiring

KIND_LABELS = {
    ContentKind.article.value: N_("Article"),
    ContentKind.video.value: N_("Video"),
    ContentKind.checklist.value: N_("Checklist"),
    ContentKind.recording.value: N_("Webinar recording"),
}
TagFilter = Annotated[str | None, QueryParameter(max_length=50)]


def _page(template: str, status: int = 200, **context: Any) -> Template:
    return Template(template, context={"kinds": KIND_LABELS, **context}, status_code=status)


def completion_listeners(request: Request[Any, Any, Any]) -> tuple[Any, ...]:
    wiring: Wiring = request.app.state.wiring
    return wiring.listeners(CONTENT_COMPLETED)


class ContentController(Controller):
    """The library as members read it."""

    path = "/content"
    guards = [requires_member]
    include_in_schema = False

    @get("/")
    async def library_page(
        self, request: Request[Any, Any, Any], tag: TagFilter = None
    ) -> Template:
        """The items for the member's account, the ones not yet opened marked."""
        items = await services.library(request.user, tag=tag or None)
        tags = sorted({t for item in items for t in item.tag_list})
        return _page("content/library.html", items=items, tags=tags, tag=tag or "")

    @get("/{item_id:int}")
    async def item_page(self, request: Request[Any, Any, Any], item_id: PathId) -> Template:
        """One item: its text is read here (a tracked view); a link is opened from here."""
        member = request.user
        item = await services.visible_item(member, item_id)
        if not item.external:
            item = await services.open_item(member, item_id)
        return _page("content/item.html", item=item)

    @get("/{item_id:int}/open")
    async def open_link(self, request: Request[Any, Any, Any], item_id: PathId) -> Redirect:
        """The tracked link: counts the view, then goes to the item."""
        item = await services.open_item(request.user, item_id)
        return Redirect(item.url) if item.external else redirect(f"/content/{item_id}")

    @post("/{item_id:int}/done")
    async def mark_done(self, request: Request[Any, Any, Any], item_id: PathId) -> Redirect:
        """Mark the item done (and any homework that asked for it)."""
        first = await services.complete_item(request.user, item_id, completion_listeners(request))
        if first:
            flash(request, lazy("Marked as done. Well done!"), "success")
        else:
            flash(request, lazy("You had already marked this as done."), "info")
        return redirect(f"/content/{item_id}")


async def _form_page(
    action: str, values: dict[str, Any], errors: dict[str, str] | None = None, status: int = 200
) -> Template:
    return _page(
        "content/form.html",
        status,
        action=action,
        values=values,
        errors=errors or {},
        accounts=[{"id": i, "name": n} for i, n in await account_choices()],
        selected_tiers=[str(v) for v in as_list(values.get("audience_tiers"))],
        selected_accounts=[str(v) for v in as_list(values.get("audience_accounts"))],
    )


class StaffContentController(Controller):
    """Staff write the library and see how much each item is taken in."""

    path = "/staff/content"
    guards = [requires_staff]
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        """Every item with its views and completions."""
        items = await services.library(request.user)
        stats = await services.item_stats([item.id for item in items])
        return _page("content/staff_index.html", items=items, stats=stats)

    @get("/new")
    async def new_page(self) -> Template:
        return await _form_page("/staff/content/new", {"kind": "article", "minutes": 10})

    @post("/new")
    async def create(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Save a new item."""
        return await self._save(request, None, "/staff/content/new")

    @get("/{item_id:int}/edit")
    async def edit_page(self, request: Request[Any, Any, Any], item_id: PathId) -> Template:
        item = await services.visible_item(request.user, item_id)
        values = {
            "title": item.title,
            "summary": item.summary,
            "kind": item.kind,
            "url": item.url,
            "body": await services.item_markdown(item_id),
            "minutes": item.minutes,
            "tags": item.tags,
            "audience": item.audience,
            "audience_tiers": parse_tiers(item.audience_tiers),
            "audience_accounts": await services.audience_account_ids(item_id),
            "published": item.published,
        }
        return await _form_page(f"/staff/content/{item_id}/edit", values)

    @post("/{item_id:int}/edit")
    async def update(self, request: Request[Any, Any, Any], item_id: PathId) -> Template | Redirect:
        """Save an edited item."""
        return await self._save(request, item_id, f"/staff/content/{item_id}/edit")

    async def _save(
        self, request: Request[Any, Any, Any], item_id: int | None, action: str
    ) -> Template | Redirect:
        data = await read_form(request)
        form, errors = validate(ContentIn, data)
        if form is None:
            return await _form_page(action, data, errors, 400)
        try:
            await services.save_item(request.user, item_id, form)
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return await _form_page(action, data, form_failure(exc), 400)
        flash(request, lazy("The content was saved."), "success")
        return redirect("/staff/content")


def content_out(item: ContentRow) -> ContentOut:
    return ContentOut(
        id=item.id,
        title=item.title,
        summary=item.summary,
        kind=item.kind,
        url=item.url,
        minutes=item.minutes,
        tags=item.tag_list,
        viewed_at=item.viewed_at,
        completed_at=item.completed_at,
    )


class ContentApiController(Controller):
    """The member's content library as JSON."""

    path = "/api/v1/content"
    guards = [requires_member]
    tags = ["content"]

    @get("/", responses=problem_responses(400, *SIGNED_IN))
    async def list_content(
        self, request: Request[Any, Any, Any], tag: TagFilter = None
    ) -> ContentList:
        """The items the member may see, newest first, with their progress."""
        items = await services.library(request.user, tag=tag or None)
        return ContentList(items=[content_out(item) for item in items])

    @post(
        "/{item_id:int}/complete",
        status_code=200,
        responses=problem_responses(*WRITE, 404),
    )
    async def complete(self, request: Request[Any, Any, Any], item_id: PathId) -> ContentOut:
        """Mark an item done (repeating it changes nothing)."""
        await services.complete_item(request.user, item_id, completion_listeners(request))
        return content_out(await services.visible_item(request.user, item_id))


async def home_section(member: Any) -> tuple[str, dict[str, Any]] | None:
    """What is new in the library for a customer (nothing for staff)."""
    if member.is_staff or member.account is None:
        return None
    items = await services.library(member)
    fresh = [item for item in items if item.new]
    if not items:
        return None
    return "content/home_section.html", {"fresh": fresh[:5], "count": len(fresh)}


ROUTES = [ContentController, StaffContentController, ContentApiController]
