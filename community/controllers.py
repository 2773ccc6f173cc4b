"""Forum pages for members: topic lists, the topic page, posting, likes, answers, search.

Handlers are thin: read the form, call a service, render or redirect. A form that fails
validation comes back with its errors (status 400); refusals (403, 404, 409) are error pages.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

import community.subjects  # noqa: F401 - registers the forum's subject links (core.subjects)
from community import answers, reactions, services
from community.api import CommunityApiController
from community.categories import get_visible_category, visible_categories
from community.inbox import NotificationController
from community.moderation import flag_post
from community.reading import (
    list_topics,
    load_topic_page,
    member_profile,
    post_url,
    quoted_markdown,
)
from community.rows import StoredPost
from community.schemas import (
    AcceptForm,
    EditForm,
    FlagForm,
    ReplyForm,
    TopicForm,
)
from community.search import search
from community.staff_controllers import (
    CategoryAdminController,
    ModerationController,
    TopicModerationController,
)
from community.tables import Post
from core.errors import DomainError, NotFound
from core.forms import form_failure, form_token, read_form, validate
from core.guards import requires_member
from core.i18n import lazy
from core.ids import ID_MAX, PathId
from core.templating import safe
from core.web import flash, redirect


class CommunityController(Controller):
    """The forum as members see it."""

    path = "/community"
    guards = [requires_member]
    include_in_schema = False

    @get("/")
    async def index(
        self,
        request: Request[Any, Any, Any],
        status: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        """Every topic the member may read, by last activity."""
        return await self._list(request, None, status, cursor)

    @get("/c/{category_id:int}")
    async def category(
        self,
        request: Request[Any, Any, Any],
        category_id: PathId,
        status: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
    ) -> Template:
        """One category's topics, by last activity."""
        category = await get_visible_category(request.user, category_id)
        return await self._list(request, category, status, cursor)

    async def _list(
        self, request: Request[Any, Any, Any], category: Any, status: str | None, cursor: str | None
    ) -> Template:
        status = status if status in ("solved", "unsolved") else None
        topics = await list_topics(
            request.user,
            category_id=category.id if category else None,
            status=status,
            cursor=cursor,
        )
        return Template(
            "community/index.html",
            context={
                "category": category,
                "categories": await visible_categories(request.user),
                "listing": topics,
                "status": status,
                "cursor": cursor,
            },
        )

    @get("/new")
    async def new_topic_page(
        self, request: Request[Any, Any, Any], category: FromQuery[int | None] = None
    ) -> Template:
        """The form for a new topic."""
        return await self._topic_form(request, {"category_id": category, "kind": "discussion"})

    async def _topic_form(
        self,
        request: Request[Any, Any, Any],
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        status: int = 200,
        preview_html: str | None = None,
    ) -> Template:
        return Template(
            "community/new_topic.html",
            context={
                "categories": await visible_categories(request.user),
                "values": values,
                "errors": errors or {},
                "preview_html": safe(preview_html) if preview_html is not None else None,
                "client_token": values.get("client_token") or form_token(),
            },
            status_code=status,
        )

    @post("/new")
    async def create_topic(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Open the topic (or show a preview of its text)."""
        data = await read_form(request)
        form, errors = validate(TopicForm, data)
        if form is None:
            return await self._topic_form(request, data, errors, 400)
        if form.action == "preview":
            html, _, _ = await services.render_body(form.body or "")
            return await self._topic_form(request, data, preview_html=html)
        try:
            topic_id, _ = await services.create_topic(
                request.user, form.category_id, form.kind, form.title, form.body, form.client_token
            )
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return await self._topic_form(request, data, form_failure(exc), 400)
        return redirect(f"/community/t/{topic_id}")

    @get("/t/{topic_id:int}")
    async def topic(
        self,
        request: Request[Any, Any, Any],
        topic_id: PathId,
        page: FromQuery[int | None] = None,
        quote: Annotated[int | None, QueryParameter(ge=1, le=ID_MAX)] = None,
    ) -> Template:
        """A topic and one page of its posts, with the reply form."""
        values = {}
        if quote is not None:
            values["body"] = await quoted_markdown(request.user, topic_id, quote)
        return await self._topic_page(request, topic_id, page, values)

    async def _topic_page(
        self,
        request: Request[Any, Any, Any],
        topic_id: int,
        page: int | None,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        status: int = 200,
        preview_html: str | None = None,
    ) -> Template:
        member = request.user
        data = await load_topic_page(member, topic_id, page, mark=status == 200)
        topic = data.topic
        return Template(
            "community/topic.html",
            context={
                "topic": topic,
                "posts": data.posts,
                "accepted": data.accepted,
                "page": data.page,
                "pages": data.pages,
                "first_new_id": data.first_new_id,
                "can_accept": topic.kind == "question"
                and (member.is_staff or topic.author_id == member.id),
                "can_reply": not topic.locked or member.is_staff,
                "categories": await visible_categories(member) if member.is_staff else [],
                "values": values,
                "errors": errors or {},
                "preview_html": safe(preview_html) if preview_html is not None else None,
                "client_token": values.get("client_token") or form_token(),
            },
            status_code=status,
        )

    @post("/t/{topic_id:int}/reply")
    async def reply(self, request: Request[Any, Any, Any], topic_id: PathId) -> Template | Redirect:
        """Post a reply (or show a preview of it)."""
        data = await read_form(request)
        form, errors = validate(ReplyForm, data)
        if form is None:
            return await self._topic_page(request, topic_id, None, data, errors, 400)
        if form.action == "preview":
            html, _, _ = await services.render_body(form.body or "")
            return await self._topic_page(request, topic_id, None, data, preview_html=html)
        try:
            _, number, _ = await services.reply_to_topic(
                request.user, topic_id, form.body, form.client_token
            )
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return await self._topic_page(request, topic_id, None, data, form_failure(exc), 400)
        return redirect(post_url(topic_id, number))

    @post("/t/{topic_id:int}/accept")
    async def accept(self, request: Request[Any, Any, Any], topic_id: PathId) -> Redirect:
        """Mark a reply as the accepted answer."""
        form, errors = validate(AcceptForm, await read_form(request))
        if form is None:
            raise DomainError(field_errors=errors)
        await answers.accept_answer(request.user, topic_id, form.post_id)
        flash(request, lazy("The answer was accepted. The question is solved."), "success")
        return redirect(f"/community/t/{topic_id}")

    @post("/t/{topic_id:int}/unaccept")
    async def unaccept(self, request: Request[Any, Any, Any], topic_id: PathId) -> Redirect:
        """Withdraw the accepted answer."""
        await answers.unaccept_answer(request.user, topic_id)
        return redirect(f"/community/t/{topic_id}")

    @get("/p/{post_id:int}/edit")
    async def edit_page(self, request: Request[Any, Any, Any], post_id: PathId) -> Template:
        """The form to edit one's post."""
        row = await _own_post(request, post_id)
        return _edit_form(row, {"body": row[0].body_markdown})

    @post("/p/{post_id:int}/edit")
    async def edit(self, request: Request[Any, Any, Any], post_id: PathId) -> Template | Redirect:
        """Save the edited text (or preview it)."""
        row = await _own_post(request, post_id)
        data = await read_form(request)
        form, errors = validate(EditForm, data)
        if form is None:
            return _edit_form(row, data, errors, 400)
        if form.action == "preview":
            html, _, _ = await services.render_body(form.body or "")
            return _edit_form(row, data, preview_html=html)
        try:
            topic_id, number = await services.edit_post(request.user, post_id, form.body)
        except DomainError as exc:
            if exc.status_code != 400:
                raise
            return _edit_form(row, data, form_failure(exc), 400)
        return redirect(post_url(topic_id, number))

    @post("/p/{post_id:int}/delete")
    async def delete(self, request: Request[Any, Any, Any], post_id: PathId) -> Redirect:
        """Delete one's post (it stays as a placeholder)."""
        topic_id, number = await services.delete_post(request.user, post_id)
        flash(request, lazy("The post was deleted."), "info")
        return redirect(post_url(topic_id, number))

    @post("/p/{post_id:int}/like")
    async def like(self, request: Request[Any, Any, Any], post_id: PathId) -> Redirect:
        """Like a post."""
        await reactions.like_post(request.user, post_id)
        return await _back_to_post(post_id)

    @post("/p/{post_id:int}/unlike")
    async def unlike(self, request: Request[Any, Any, Any], post_id: PathId) -> Redirect:
        """Take a like back."""
        await reactions.unlike_post(request.user, post_id)
        return await _back_to_post(post_id)

    @get("/p/{post_id:int}/flag")
    async def flag_page(self, request: Request[Any, Any, Any], post_id: PathId) -> Template:
        """The form to report a post to staff."""
        post, _ = await services.post_for_write(request.user, post_id)
        if post.deleted_at is not None:
            raise NotFound(services.POST_NOT_FOUND)
        return _flag_form(post, {})

    @post("/p/{post_id:int}/flag")
    async def flag(self, request: Request[Any, Any, Any], post_id: PathId) -> Template | Redirect:
        """Report a post to staff."""
        data = await read_form(request)
        form, errors = validate(FlagForm, data)
        if form is None:
            post, _ = await services.post_for_write(request.user, post_id)
            return _flag_form(post, data, errors, 400)
        await flag_post(request.user, post_id, form.reason, form.note)
        flash(request, lazy("Thank you. Staff will review the post."), "success")
        return await _back_to_post(post_id)

    @post("/preview", status_code=200)
    async def preview(self, request: Request[Any, Any, Any]) -> Response[str]:
        """The text of a form rendered as it will appear (an HTML fragment)."""
        data = await read_form(request)
        body = str(data.get("body") or "")[: services.BODY_MAX]
        html, _, _ = await services.render_body(body)
        return Response(html, media_type="text/html")

    @get("/search")
    async def search_page(
        self, request: Request[Any, Any, Any], q: FromQuery[str | None] = None
    ) -> Template:
        """Search titles and posts."""
        errors: dict[str, str] = {}
        hits: list[Any] = []
        try:
            hits = await search(request.user, q)
        except DomainError as exc:
            errors["q"] = exc.translated()
        return Template(
            "community/search.html",
            context={"q": q or "", "hits": hits, "errors": errors},
            status_code=400 if errors else 200,
        )

    @get("/u/{handle:str}")
    async def member_page(self, request: Request[Any, Any, Any], handle: FromPath[str]) -> Template:
        """A member's card and the topics they opened."""
        person, topics = await member_profile(request.user, handle)
        return Template("community/member.html", context={"person": person, "listing": topics})


async def _own_post(request: Request[Any, Any, Any], post_id: int) -> tuple[StoredPost, str]:
    """The post the member may edit, and its topic's title."""
    post, topic = await services.post_for_write(request.user, post_id)
    if post.author != request.user.id and not request.user.is_staff:
        raise NotFound(services.POST_NOT_FOUND)
    return post, topic.title


def _edit_form(
    row: tuple[StoredPost, str],
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
    preview_html: str | None = None,
) -> Template:
    return Template(
        "community/edit_post.html",
        context={
            "post": row[0],
            "topic_title": row[1],
            "values": values,
            "errors": errors or {},
            "preview_html": safe(preview_html) if preview_html is not None else None,
        },
        status_code=status,
    )


def _flag_form(
    post: StoredPost,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    return Template(
        "community/flag.html",
        context={"post": post, "values": values, "errors": errors or {}},
        status_code=status,
    )


async def _back_to_post(post_id: int) -> Redirect:
    row = await Post.select(Post.topic, Post.number).where(Post.id == post_id).first()
    if row is None:
        raise NotFound(services.POST_NOT_FOUND)
    return redirect(post_url(row["topic"], row["number"]))


ROUTES = [
    CommunityController,
    TopicModerationController,
    ModerationController,
    CategoryAdminController,
    NotificationController,
    CommunityApiController,
]
