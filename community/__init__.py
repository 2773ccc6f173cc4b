"""The community forum: categories, topics, answers, likes, moderation, notifications, search.

Pages and the API live in `community.controllers` (its ROUTES); the names below are the
forum's behaviour for other code (benchmarks, demo data, scripts).
"""

from community.answers import accept_answer
from community.reactions import like_post, unlike_post
from community.search import search
from community.services import create_topic, delete_post, edit_post, reply_to_topic

__all__ = [
    "accept_answer",
    "create_topic",
    "delete_post",
    "edit_post",
    "like_post",
    "reply_to_topic",
    "search",
    "unlike_post",
]
