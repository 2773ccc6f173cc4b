"""Categories: the spaces of the forum, their order and who may read them."""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column
from piccolo.query.functions.aggregate import Count

from accounts.tables import Account, Member
from community.tables import Category, Topic, Visibility
from community.visibility import category_filter
from core.database import transaction
from core.errors import DomainError, NotFound
from core.i18n import N_, gettext

CATEGORY_NOT_FOUND = N_("This category does not exist, or you cannot see it.")


async def visible_categories(member: Member) -> list[dict[str, Any]]:
    """The categories `member` may read, in their order, with topic counts."""
    query = Category.select(
        Category.id,
        Category.name,
        Category.description,
        Category.position,
        Category.visibility,
        Category.account,
        Category.account.name.as_alias("account_name"),
    )
    visible = category_filter(member, Category)
    if visible is not None:
        query = query.where(visible)
    return await query.order_by(Category.position).order_by(Category.name).order_by(Category.id)


async def get_visible_category(member: Member, category_id: int) -> Category:
    query = Category.objects().where(Category.id == category_id)
    visible = category_filter(member, Category)
    if visible is not None:
        query = query.where(visible)
    category = await query.first()
    if category is None:
        raise NotFound(CATEGORY_NOT_FOUND)
    return category


async def get_category(category_id: int) -> Category:
    category = await Category.objects().where(Category.id == category_id).first()
    if category is None:
        raise NotFound(CATEGORY_NOT_FOUND)
    return category


async def save_category(category_id: int | None, fields: dict[str, Any]) -> Category:
    """Create (category_id None) or update a category; a private one names its account."""
    visibility = fields.get("visibility") or Visibility.all.value
    account_id = fields.get("account_id") if visibility == Visibility.account.value else None
    if visibility == Visibility.account.value:
        if account_id is None:
            raise DomainError(
                N_("Choose the account this private category belongs to."),
                field_errors={"account_id": gettext("Choose an account.")},
            )
        if not await Account.exists().where(Account.id == account_id):
            raise NotFound(N_("This account does not exist."))
    values: dict[Column, Any] = {
        Category.name: str(fields["name"]).strip(),
        Category.description: (fields.get("description") or "").strip(),
        Category.position: int(fields.get("position") or 0),
        Category.visibility: visibility,
        Category.account: account_id,
    }
    async with transaction():
        if category_id is None:
            category = Category(_data=values)
            await category.save()
            return category
        await get_category(category_id)
        changes: dict[Column | str, Any] = {column: value for column, value in values.items()}
        await Category.update(changes).where(Category.id == category_id)
    return await get_category(category_id)


async def all_categories() -> list[dict[str, Any]]:
    """Every category with its account and topic count, for the admin list."""
    rows = await (
        Category.select(
            Category.id,
            Category.name,
            Category.description,
            Category.position,
            Category.visibility,
            Category.account.name.as_alias("account_name"),
        )
        .order_by(Category.position)
        .order_by(Category.name)
    )
    counts = await Topic.select(Topic.category, Count(Topic.id, alias="n")).group_by(Topic.category)
    by_category = {row["category"]: row["n"] for row in counts}
    for row in rows:
        row["topic_count"] = by_category.get(row["id"], 0)
    return rows
