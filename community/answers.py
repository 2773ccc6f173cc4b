"""Accepted answers: the asker (or staff) marks one reply of a question as its answer."""

from __future__ import annotations

from accounts.tables import Member
from community.notifications import notify
from community.rows import LockedTopic, StoredPost
from community.services import topic_for_write
from community.tables import NotificationKind, Post, Topic, TopicKind
from core.database import transaction
from core.errors import DomainError, Forbidden, NotFound
from core.i18n import N_
from engagement.signals import NewSignal, SignalKind, Subject, SubjectType, record_signals


async def accept_answer(member: Member, topic_id: int, post_id: int) -> None:
    """The asker (or staff) marks a reply as the answer: the question is solved."""
    async with transaction():
        topic = await _question_for_acceptance(member, topic_id)
        row = await Post.select().where((Post.id == post_id) & (Post.topic == topic_id)).first()
        if row is None:
            raise NotFound(N_("This reply does not belong to this topic."))
        post = StoredPost.of(row)
        if post.number == 1:
            raise DomainError(N_("Choose a reply, not the question itself."))
        if post.gone:
            raise DomainError(N_("A deleted or hidden reply cannot be the accepted answer."))
        if topic.accepted_post_id == post_id:
            return
        await Topic.update({Topic.accepted_post_id: post_id, Topic.solved: True}).where(
            Topic.id == topic_id
        )
        if post.author == topic.author:
            return  # answering one's own question earns nothing
        author = await Member.select(Member.account).where(Member.id == post.author).first()
        if author:
            await record_signals(
                NewSignal(
                    SignalKind.answer_accepted,
                    author["account"],
                    post.author,
                    Subject(SubjectType.post, post_id),
                )
            )
        await notify(
            {post.author},
            NotificationKind.accepted,
            topic=topic.audience,
            post_id=post_id,
            actor_id=member.id,
        )


async def unaccept_answer(member: Member, topic_id: int) -> None:
    """Withdraw the accepted answer (the signal already recorded stays)."""
    async with transaction():
        await _question_for_acceptance(member, topic_id)
        await Topic.update({Topic.accepted_post_id: None, Topic.solved: False}).where(
            Topic.id == topic_id
        )


async def _question_for_acceptance(member: Member, topic_id: int) -> LockedTopic:
    topic = await topic_for_write(member, topic_id)
    if topic.kind != TopicKind.question.value:
        raise DomainError(N_("Only a question can have an accepted answer."))
    if topic.author != member.id and not member.is_staff:
        raise Forbidden(N_("Only the person who asked, or staff, can choose the accepted answer."))
    return topic
