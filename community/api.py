"""The forum's JSON API under /api/v1/community: the same services and checks as the pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody, QueryParameter

from accounts.api import acting_member
from community import answers, reactions, services
from community.categories import save_category, visible_categories
from community.notifications import list_notifications
from community.reading import list_topics, load_post, load_topic_page
from community.rows import PostRow, TopicRow
from community.schemas import (
    AcceptIn,
    AuthorOut,
    CategoryIn,
    CategoryOut,
    LikeOut,
    NotificationOut,
    PostOut,
    PreviewIn,
    PreviewOut,
    ReplyCreate,
    SearchHitOut,
    StatusName,
    TopicCreate,
    TopicDetail,
    TopicOut,
    TopicPage,
)
from community.search import search
from core.api_tokens import TOKEN_PROBLEMS, token_route
from core.guards import requires_member
from core.i18n import N_
from core.ids import ID_MAX, PathId
from core.problems import SIGNED_IN, WRITE, problem_responses

STAFF = ("csm", "admin")
READ_ITEM = problem_responses(400, *SIGNED_IN, 404)
WRITE_ITEM = problem_responses(*WRITE, 404)


def _author(
    author_id: int, name: str, handle: str, role: str, account_name: str | None
) -> AuthorOut:
    return AuthorOut(
        id=author_id,
        display_name=name,
        handle=handle,
        account_name=account_name,
        is_staff=role in STAFF,
    )


def topic_out(row: TopicRow) -> TopicOut:
    return TopicOut(
        id=row.id,
        category_id=row.category_id,
        category_name=row.category_name,
        kind=row.kind,
        title=row.title,
        author=_author(
            row.author_id, row.author_name, row.author_handle, row.author_role, row.account_name
        ),
        pinned=row.pinned,
        locked=row.locked,
        hidden=row.hidden,
        solved=row.solved,
        accepted_post_id=row.accepted_post_id,
        reply_count=row.reply_count,
        unread=row.unread,
        created_at=row.created_at,
        last_activity_at=row.last_activity_at,
    )


def post_out(row: PostRow, accepted_id: int | None) -> PostOut:
    return PostOut(
        id=row.id,
        number=row.number,
        author=_author(
            row.author, row.author_name, row.author_handle, row.author_role, row.account_name
        ),
        body_html=row.body_html if row.visible else None,
        deleted=row.deleted_at is not None,
        hidden=row.hidden,
        like_count=row.like_count,
        liked_by_me=row.liked,
        accepted=row.id == accepted_id,
        created_at=row.created_at,
        edited_at=row.edited_at,
    )


async def topic_detail(
    request: Request[Any, Any, Any], topic_id: int, page: int | None
) -> TopicDetail:
    data = await load_topic_page(request.user, topic_id, page)
    accepted = data.topic.accepted_post_id
    return TopicDetail(
        topic=topic_out(data.topic),
        posts=[post_out(row, accepted) for row in data.posts],
        page=data.page,
        pages=data.pages,
    )


WRITE_SCOPE = "community:write"
SCOPES = {WRITE_SCOPE: N_("Create and change forum categories")}
CATEGORY_CHANGE = problem_responses(*WRITE, 404, 429, described=TOKEN_PROBLEMS)
# Admin sessions, or API tokens of scope community:write acting as their creator.
ADMIN_WRITE = token_route(WRITE_SCOPE, sessions="admin")


def _category_out(category: Any) -> CategoryOut:
    return CategoryOut(
        id=category.id,
        name=category.name,
        description=category.description,
        position=category.position,
        visibility=category.visibility,
        account_id=category.account,
    )


class CommunityApiController(Controller):
    """Categories, topics, replies, likes and accepted answers."""

    path = "/api/v1/community"
    guards = [requires_member]
    tags = ["community"]

    @get("/categories", responses=problem_responses(*SIGNED_IN))
    async def categories(self, request: Request[Any, Any, Any]) -> list[CategoryOut]:
        """The categories the caller may read, in order."""
        return [
            CategoryOut(
                id=row["id"],
                name=row["name"],
                description=row["description"],
                position=row["position"],
                visibility=row["visibility"],
                account_id=row["account"],
            )
            for row in await visible_categories(request.user)
        ]

    @post("/categories", responses=CATEGORY_CHANGE, **ADMIN_WRITE)
    async def create_category(
        self, request: Request[Any, Any, Any], data: JSONBody[CategoryIn]
    ) -> CategoryOut:
        """Create a category (admins, or a token of scope community:write)."""
        await acting_member(request)
        return _category_out(await save_category(None, data.model_dump()))

    @put("/categories/{category_id:int}", responses=CATEGORY_CHANGE, **ADMIN_WRITE)
    async def update_category(
        self, request: Request[Any, Any, Any], category_id: PathId, data: JSONBody[CategoryIn]
    ) -> CategoryOut:
        """Replace a category's name, description, position and visibility."""
        await acting_member(request)
        return _category_out(await save_category(category_id, data.model_dump()))

    @get("/topics", responses=READ_ITEM)
    async def topics(
        self,
        request: Request[Any, Any, Any],
        category_id: Annotated[int | None, QueryParameter(ge=1, le=ID_MAX)] = None,
        status: Annotated[StatusName | None, QueryParameter()] = None,
        cursor: Annotated[
            str | None,
            QueryParameter(
                max_length=60,
                pattern=r"^([0-9]{1,16}_[0-9]{1,10})?$",
                description="`next_cursor` of the previous page (empty: the first page)",
            ),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 30,
    ) -> TopicPage:
        """Topics by last activity (pinned first on the first page); follow `next_cursor`."""
        listing = await list_topics(
            request.user, category_id=category_id, status=status, cursor=cursor or None, limit=limit
        )
        rows = listing.pinned + listing.topics
        return TopicPage(items=[topic_out(r) for r in rows], next_cursor=listing.next_cursor)

    @get("/topics/{topic_id:int}", responses=READ_ITEM)
    async def topic(
        self,
        request: Request[Any, Any, Any],
        topic_id: PathId,
        page: Annotated[int | None, QueryParameter(ge=1)] = None,
    ) -> TopicDetail:
        """A topic with one page (100) of its posts; reading it marks it read."""
        return await topic_detail(request, topic_id, page)

    @post(
        "/topics",
        responses={
            **WRITE_ITEM,
            200: ResponseSpec(TopicDetail, description="Repeated request: the topic it opened."),
        },
    )
    async def create_topic(
        self, request: Request[Any, Any, Any], data: JSONBody[TopicCreate]
    ) -> Response[TopicDetail]:
        """Open a topic; 201, or 200 with the same topic when the request is repeated."""
        topic_id, created = await services.create_topic(
            request.user, data.category_id, data.kind, data.title, data.body, data.client_token
        )
        detail = await topic_detail(request, topic_id, 1)
        return Response(detail, status_code=201 if created else 200)

    @post(
        "/topics/{topic_id:int}/posts",
        responses={
            **WRITE_ITEM,
            200: ResponseSpec(PostOut, description="Repeated request: the reply it posted."),
        },
    )
    async def reply(
        self, request: Request[Any, Any, Any], topic_id: PathId, data: JSONBody[ReplyCreate]
    ) -> Response[PostOut]:
        """Reply to a topic; 201, or 200 with the same post when the request is repeated."""
        post_id, _, created = await services.reply_to_topic(
            request.user, topic_id, data.body, data.client_token
        )
        row = await load_post(request.user, topic_id, post_id)
        return Response(post_out(row, None), status_code=201 if created else 200)

    @put("/posts/{post_id:int}/like", responses=WRITE_ITEM)
    async def like(self, request: Request[Any, Any, Any], post_id: PathId) -> LikeOut:
        """Like a post (repeating it changes nothing)."""
        count = await reactions.like_post(request.user, post_id)
        return LikeOut(post_id=post_id, liked=True, like_count=count)

    @delete("/posts/{post_id:int}/like", status_code=200, responses=WRITE_ITEM)
    async def unlike(self, request: Request[Any, Any, Any], post_id: PathId) -> LikeOut:
        """Take a like back (repeating it changes nothing)."""
        count = await reactions.unlike_post(request.user, post_id)
        return LikeOut(post_id=post_id, liked=False, like_count=count)

    @post("/topics/{topic_id:int}/accept", status_code=200, responses=WRITE_ITEM)
    async def accept(
        self, request: Request[Any, Any, Any], topic_id: PathId, data: JSONBody[AcceptIn]
    ) -> TopicDetail:
        """Accept a reply as the answer (the asker or staff)."""
        await answers.accept_answer(request.user, topic_id, data.post_id)
        return await topic_detail(request, topic_id, None)

    @delete("/topics/{topic_id:int}/accept", status_code=200, responses=WRITE_ITEM)
    async def unaccept(self, request: Request[Any, Any, Any], topic_id: PathId) -> TopicDetail:
        """Withdraw the accepted answer (the asker or staff)."""
        await answers.unaccept_answer(request.user, topic_id)
        return await topic_detail(request, topic_id, None)

    @post("/preview", status_code=200, responses=problem_responses(*WRITE))
    async def preview(self, data: JSONBody[PreviewIn]) -> PreviewOut:
        """Markdown rendered and sanitised exactly as a post would be."""
        html, _, _ = await services.render_body(data.body[: services.BODY_MAX])
        return PreviewOut(html=html)

    @get("/search", responses=problem_responses(400, *SIGNED_IN))
    async def search_topics(
        self,
        request: Request[Any, Any, Any],
        q: Annotated[str, QueryParameter(max_length=100)],
    ) -> list[SearchHitOut]:
        """Topics whose title or a readable post contains every term of `q`."""
        return [
            SearchHitOut(
                topic_id=hit.topic_id,
                title=hit.title,
                category_name=hit.category_name,
                snippet=hit.snippet,
                last_activity_at=hit.last_activity_at,
            )
            for hit in await search(request.user, q)
        ]

    @get("/notifications", responses=problem_responses(*SIGNED_IN))
    async def notifications(self, request: Request[Any, Any, Any]) -> list[NotificationOut]:
        """The caller's newest notifications."""
        return [
            NotificationOut(
                id=row["id"],
                kind=row["kind"],
                topic_id=row["topic_id"],
                topic_title=row["topic_title"],
                post_id=row["post_id"],
                actor_name=row["actor_name"],
                created_at=row["created_at"],
                read=row["read_at"] is not None,
            )
            for row in await list_notifications(request.user)
        ]
