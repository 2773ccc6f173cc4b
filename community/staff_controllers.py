"""Forum pages for staff: topic and post moderation, the review queue, unanswered questions,
response times, edit history, and (admins) the categories."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from accounts.queries import account_choices
from community import moderation
from community.categories import (
    all_categories,
    get_category,
    save_category,
)
from community.reading import post_url
from community.schemas import CategoryForm, MoveForm, ReviewForm
from core.errors import DomainError
from core.forms import read_form, validate
from core.guards import requires_admin, requires_staff
from core.i18n import lazy
from core.ids import PathId
from core.web import flash, redirect


class TopicModerationController(Controller):
    """Pin, lock, hide and move topics; hide and restore posts; read a post's history."""

    path = "/community"
    guards = [requires_staff]
    include_in_schema = False

    async def _switch(
        self, request: Request[Any, Any, Any], topic_id: int, name: str, value: bool
    ) -> Redirect:
        await moderation.set_topic_flag(request.user, topic_id, name, value)
        flash(request, lazy("The topic was updated."), "success")
        return redirect(f"/community/t/{topic_id}")

    @post("/t/{topic_id:int}/pin")
    async def pin(self, request: Request[Any, Any, Any], topic_id: PathId) -> Redirect:
        """Pin a topic to the top of its lists."""
        return await self._switch(request, topic_id, "pinned", True)

    @post("/t/{topic_id:int}/unpin")
    async def unpin(self, request: Request[Any, Any, Any], topic_id: PathId) -> Redirect:
        """Unpin a topic."""
        return await self._switch(request, topic_id, "pinned", False)

    @post("/t/{topic_id:int}/lock")
    async def lock(self, request: Request[Any, Any, Any], topic_id: PathId) -> Redirect:
        """Lock a topic: members can no longer reply."""
        return await self._switch(request, topic_id, "locked", True)

    @post("/t/{topic_id:int}/unlock")
    async def unlock(self, request: Request[Any, Any, Any], topic_id: PathId) -> Redirect:
        """Unlock a topic."""
        return await self._switch(request, topic_id, "locked", False)

    @post("/t/{topic_id:int}/hide")
    async def hide(self, request: Request[Any, Any, Any], topic_id: PathId) -> Redirect:
        """Hide a topic from members."""
        return await self._switch(request, topic_id, "hidden", True)

    @post("/t/{topic_id:int}/restore")
    async def restore(self, request: Request[Any, Any, Any], topic_id: PathId) -> Redirect:
        """Show a hidden topic again."""
        return await self._switch(request, topic_id, "hidden", False)

    @post("/t/{topic_id:int}/move")
    async def move(self, request: Request[Any, Any, Any], topic_id: PathId) -> Redirect:
        """Move a topic to another category."""
        form, errors = validate(MoveForm, await read_form(request))
        if form is None:
            raise DomainError(field_errors=errors)
        await moderation.move_topic(request.user, topic_id, form.category_id)
        flash(request, lazy("The topic was moved."), "success")
        return redirect(f"/community/t/{topic_id}")

    @post("/p/{post_id:int}/hide")
    async def hide_post(self, request: Request[Any, Any, Any], post_id: PathId) -> Redirect:
        """Hide a post from members."""
        topic_id, number = await moderation.set_post_hidden(request.user, post_id, True)
        return redirect(post_url(topic_id, number))

    @post("/p/{post_id:int}/restore")
    async def restore_post(self, request: Request[Any, Any, Any], post_id: PathId) -> Redirect:
        """Show a hidden post again (and settle its flags)."""
        topic_id, number = await moderation.set_post_hidden(request.user, post_id, False)
        return redirect(post_url(topic_id, number))

    @get("/p/{post_id:int}/history")
    async def history(self, request: Request[Any, Any, Any], post_id: PathId) -> Template:
        """A post's earlier versions."""
        current, topic_title, revisions = await moderation.post_history(request.user, post_id)
        return Template(
            "community/history.html",
            context={"post": current, "topic_title": topic_title, "revisions": revisions},
        )


class ModerationController(Controller):
    """The staff overview: flagged posts, unanswered questions, time to first response."""

    path = "/community/moderation"
    guards = [requires_staff]
    include_in_schema = False

    @get("/")
    async def overview(self) -> Template:
        """Review queue, unanswered questions and response times."""
        return Template(
            "community/moderation.html",
            context={
                "queue": await moderation.review_queue(),
                "unanswered": await moderation.unanswered_questions(),
                "response_times": await moderation.response_times(),
            },
        )

    @post("/flags/{post_id:int}")
    async def review(self, request: Request[Any, Any, Any], post_id: PathId) -> Redirect:
        """Settle a flagged post: restore it or keep it hidden."""
        form, errors = validate(ReviewForm, await read_form(request))
        if form is None:
            raise DomainError(field_errors=errors)
        await moderation.review_flags(request.user, post_id, form.decision)
        flash(request, lazy("The flags were reviewed."), "success")
        return redirect("/community/moderation")


class CategoryAdminController(Controller):
    """Admins create and edit categories."""

    path = "/community/categories"
    guards = [requires_admin]
    include_in_schema = False

    async def _page(
        self,
        editing: int | None,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        return Template(
            "community/categories.html",
            context={
                "categories": await all_categories(),
                "accounts": await account_choices(),
                "editing": editing,
                "values": values,
                "errors": errors or {},
            },
            status_code=status,
        )

    @get("/")
    async def list_categories(self) -> Template:
        """Every category, with the form for a new one."""
        return await self._page(None, {"visibility": "all", "position": 0})

    @get("/{category_id:int}")
    async def edit_page(self, category_id: PathId) -> Template:
        """Every category, with the form to edit one."""
        category = await get_category(category_id)
        values = category.to_dict()
        values["account_id"] = values.pop("account")
        return await self._page(category_id, values)

    @post("/")
    async def create(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Create a category."""
        return await self._save(request, None)

    @post("/{category_id:int}")
    async def update(
        self, request: Request[Any, Any, Any], category_id: PathId
    ) -> Template | Redirect:
        """Save a category."""
        return await self._save(request, category_id)

    async def _save(
        self, request: Request[Any, Any, Any], category_id: int | None
    ) -> Template | Redirect:
        data = await read_form(request)
        form, errors = validate(CategoryForm, data)
        if form is None:
            return await self._page(category_id, data, errors, 400)
        try:
            await save_category(category_id, form.model_dump())
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return await self._page(
                category_id, data, {**exc.field_errors, "__all__": exc.translated()}, 400
            )
        flash(request, lazy("The category was saved."), "success")
        return redirect("/community/categories")
