"""Likes: one per member and post, never on one's own post, counted on the post row."""

from __future__ import annotations

from accounts.tables import Member
from community.services import post_for_write
from community.tables import Post, PostLike
from core.database import transaction
from core.errors import DomainError
from core.i18n import N_
from engagement.signals import NewSignal, SignalKind, Subject, SubjectType, record_signals


async def like_post(member: Member, post_id: int) -> int:
    """Like a post (a repeat changes nothing); the new like count."""
    async with transaction():
        post, _ = await post_for_write(member, post_id)
        if post.author == member.id:
            raise DomainError(N_("You cannot like your own post."))
        if post.gone:
            raise DomainError(N_("A deleted or hidden post cannot be liked."))
        inserted = (
            await PostLike.insert(PostLike(post=post_id, member=member.id))
            .on_conflict(target=(PostLike.post, PostLike.member), action="DO NOTHING")
            .returning(PostLike.id)
        )
        if not inserted:
            return post.like_count
        await Post.update({Post.like_count: Post.like_count + 1}).where(Post.id == post_id)
        author = await Member.select(Member.account).where(Member.id == post.author).first()
        if author:
            await record_signals(
                NewSignal(
                    SignalKind.reaction_received,
                    author["account"],
                    post.author,
                    Subject(SubjectType.post, post_id),
                    detail=str(member.id),  # one per post and member who liked it
                )
            )
        return post.like_count + 1


async def unlike_post(member: Member, post_id: int) -> int:
    """Take a like back (nothing if there was none); the signal already recorded stays."""
    async with transaction():
        post, _ = await post_for_write(member, post_id)
        removed = (
            await PostLike.delete()
            .where((PostLike.post == post_id) & (PostLike.member == member.id))
            .returning(PostLike.id)
        )
        if not removed:
            return post.like_count
        await Post.update({Post.like_count: Post.like_count - 1}).where(Post.id == post_id)
        return post.like_count - 1
