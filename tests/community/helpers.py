"""Rows and signed-in clients for the forum tests, made through the real services."""

from __future__ import annotations

from accounts.tables import Account, Member
from community.categories import save_category
from community.services import create_topic, reply_to_topic
from community.tables import Category
from tests.factories import make_account, make_member


async def make_category(
    name: str = "一般", visibility: str = "all", account: Account | None = None, position: int = 0
) -> Category:
    return await save_category(
        None,
        {
            "name": name,
            "description": f"{name}についての話題",
            "position": position,
            "visibility": visibility,
            "account_id": account.id if account else None,
        },
    )


async def make_topic(
    author: Member,
    category: Category,
    title: str = "ログインできません",
    body: str = "パスワードを入れてもログインできません。",
    kind: str = "question",
) -> int:
    topic_id, created = await create_topic(author, category.id, kind, title, body)
    assert created
    return topic_id


async def make_reply(
    author: Member, topic_id: int, body: str = "キャッシュを消してみてください。"
) -> int:
    post_id, _, created = await reply_to_topic(author, topic_id, body)
    assert created
    return post_id


class World:
    """Two customer accounts (A and B), a member in each, a CSM and an admin, and a public
    category plus a private one for account A."""

    account_a: Account
    account_b: Account
    alice: Member
    anna: Member
    bob: Member
    csm: Member
    admin: Member
    public: Category
    private_a: Category
    staff_only: Category

    @classmethod
    async def create(cls) -> World:
        world = cls()
        world.account_a = await make_account("株式会社エー", domains="a.example")
        world.account_b = await make_account("株式会社ビー", domains="b.example")
        world.alice = await make_member(world.account_a, email="alice@a.example", name="有栖 花子")
        world.anna = await make_member(world.account_a, email="anna@a.example", name="安奈 由美")
        world.bob = await make_member(world.account_b, email="bob@b.example", name="坊 太郎")
        world.csm = await make_member(None, role="csm", email="csm@vendor.example", name="佐藤 CSM")
        world.admin = await make_member(None, role="admin", email="admin@vendor.example")
        world.public = await make_category("一般", position=1)
        world.private_a = await make_category("エー社専用", "account", world.account_a, position=2)
        world.staff_only = await make_category("スタッフ", "staff", position=3)
        return world
