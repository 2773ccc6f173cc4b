"""Realistic bench data: Japanese and English text, accounts and members, the forum, events.

Content goes through the real services (Markdown rendered and sanitised, search text
normalised, signals recorded) so pages and queries meet what production stores. Members are
inserted in bulk with one password hash: hashing each would only measure argon2.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from bench.harness import PASSWORD

SENTENCES = [
    "請求書の締め日を変更したいのですが、設定画面のどこから操作できますか？",
    "当社ではダッシュボードを朝会で共有して、出荷の遅れをすぐに確認しています。",
    "CSV インポートで文字化けする場合は、UTF-8 で保存し直すと解決しました。",
    "API トークンの権限を分けておくと、連携先ごとに安全に管理できます。",
    "We run a weekly sync where the team reviews unanswered questions together.",
    "次回のもくもく会では、ワークフローの自動化を一緒に設定してみましょう。",
    "Single sign-on was easy to set up once the IdP metadata URL was correct.",
    "権限設定は「管理 → メンバー」からロールごとに変更できます。",
]

# Further sentences for the search corpus: the queries' words occur at realistic rates.
MORE_SENTENCES = [
    "承認フローを二段階にしたところ、経理部門の確認漏れがなくなりました。",
    "通知メールが届かないときは、迷惑メールフォルダと送信ドメインの設定を確認してください。",
    "請求先の住所を複数登録して、部署ごとに請求書を分けられますか？",
    "Salesforce との連携で、商談のステージが同期されないことがあります。",
    "アカウントの管理者を追加する手順を教えてください。",
    "新しいアカウントを作成したら、最初にタイムゾーンを設定するのがおすすめです。",
    "在庫データのインポートを毎朝自動で実行する方法はありますか？",
    "Slack 連携をオンにすると、承認フローの通知がチャンネルに届きます。",
    "通知メールの文面をテンプレートで編集できるようになって助かっています。",
    "レポートの集計期間を会計年度に合わせたいです。",
    "二要素認証を必須にすると、古いスマートフォンの利用者が困っています。",
    "検索で過去の問い合わせがすぐに見つかるので、サポートへの質問が減りました。",
    "月末はアクセスが集中するので、ダッシュボードの表示が少し遅く感じます。",
    "権限の棚卸しを四半期ごとに行い、退職者のアカウントを停止しています。",
    "請求金額の端数処理を切り捨てに変更できますか？",
    "外部ストレージとの連携で、ファイルのアップロード上限はいくつですか？",
    "CSV インポートの列の対応付けを保存しておくと、次回から選ぶだけで済みます。",
    "承認フローの途中で差し戻された申請は、どこで確認できますか？",
    "新任の担当者向けに、設定の手順書を社内 Wiki にまとめました。",
    "ウェビナーの録画を見てから、自動化ルールを三つ作りました。",
    "監査ログを CSV でエクスポートして、情報システム部に提出しています。",
    "モバイルアプリからでも承認できるので、外出中の対応が楽になりました。",
    "祝日カレンダーを設定すると、締め日の計算に反映されます。",
    "ユーザー招待のメールが期限切れになった場合は、再送してください。",
    "Is there a way to bulk import users from our HR system?",
    "The billing page shows last month's invoice but not the current one.",
    "Our approval flow has three steps and the second approver is often on leave.",
    "Webhooks retry five times, so make your endpoint idempotent.",
    "The dashboard filters are saved per user, which confused our managers at first.",
    "We export the audit log every quarter for our security review.",
    "Notification emails go to the shared inbox; can I change that per account?",
    "After the upgrade the API rate limit is per token, not per workspace.",
]

TITLES = [
    "請求書の締め日について",
    "権限設定の変更方法",
    "CSV インポートの文字化け",
    "承認フローを二段階にしたい",
    "通知メールが届かない",
    "アカウント管理者の追加",
    "Salesforce 連携の同期エラー",
    "ダッシュボードの表示速度",
    "もくもく会の進め方",
    "レポートの集計期間",
    "Single sign-on setup",
    "Bulk import of users",
    "Webhook retries",
    "Billing page question",
]


def body(n: int) -> str:
    """A post of Japanese and English Markdown with a list and a code block (unique per n)."""
    lines = [SENTENCES[(n + i) % len(SENTENCES)] for i in range(3)]
    return (
        f"返信 {n} です。\n\n"
        + "\n\n".join(lines)
        + "\n\n- 手順1: 設定を開く\n- 手順2: 保存する\n\n```python\nprint('kizuna')\n```\n"
    )


def search_post(rng: random.Random, n: int) -> str:
    """A shorter post for the search corpus: two to four sentences, sometimes a list."""
    corpus = SENTENCES + MORE_SENTENCES
    text = "\n\n".join(rng.sample(corpus, rng.randint(2, 4)))
    if n % 3 == 0:
        text += "\n\n- 管理画面を開く\n- 変更を保存する"
    return f"{text}\n\n（No. {n}）"


async def open_database() -> Any:
    """This process's connection to the bench database (from the environment), migrated, with
    jobs going to Redis as in production. Returns the settings."""
    from core import database
    from core.jobs import set_backend
    from core.queue_backends import ArqBackend
    from core.wiring import Wiring
    from domains import DOMAINS
    from settings import get_settings

    settings = get_settings()
    await database.prepare(settings)
    set_backend(ArqBackend(settings, Wiring.of(DOMAINS).jobs))
    await database.migrate()
    return settings


async def create_customers(accounts: int, per_account: int) -> list[Any]:
    """`accounts` accounts of `per_account` customers each (bench{a}-{m}@bench.example,
    display name 利用者 {a}-{m}), all with the bench password; the members in that order."""
    from accounts.tables import Account, Member
    from core.security import hash_password

    rows = await Account.insert(
        *[Account(name=f"ベンチ株式会社{a}", arr=1_000_000 * a) for a in range(accounts)]
    ).returning(Account.id)
    password_hash = hash_password(PASSWORD)
    people = [
        Member(
            email=f"bench{a}-{m}@bench.example",
            display_name=f"利用者 {a}-{m}",
            handle=f"bench{a}_{m}",
            role="customer",
            account=row["id"],
            password_hash=password_hash,
        )
        for a, row in enumerate(rows)
        for m in range(per_account)
    ]
    for start in range(0, len(people), 1000):
        await Member.insert(*people[start : start + 1000])
    found = {m.email: m for m in await Member.objects().where(Member.role == "customer")}
    return [found[p.email] for p in people]


async def create_csm() -> Any:
    from accounts.services import create_member

    return await create_member(
        email="csm@bench.example",
        display_name="ベンチ CSM",
        role="csm",
        account_id=None,
        password=PASSWORD,
    )


async def create_forum_category() -> int:
    from community.categories import save_category

    return int((await save_category(None, {"name": "質問・相談", "visibility": "all"})).id)


async def create_long_topic(members: list[Any], category_id: int, posts: int = 100) -> int:
    """A question of `posts` posts (the first and the replies) by the members in turn."""
    from community.services import create_topic, reply_to_topic

    topic_id, _ = await create_topic(
        members[0], category_id, "question", "100件の返信があるトピック", body(0)
    )
    for n in range(1, posts):
        await reply_to_topic(members[n % len(members)], topic_id, body(n))
    return topic_id


async def create_search_topics(members: list[Any], category_id: int, topics: int) -> int:
    """`topics` topics on varied subjects with zero to two replies each; the posts written."""
    from bench.progress import progress

    rng = random.Random(20261123)
    written = 0
    with progress("writing search topics", topics) as advance:
        for t in range(topics):
            written += await _search_topic(members, category_id, rng, topics, t, written)
            advance(1)
    return written


async def _search_topic(
    members: list[Any], category_id: int, rng: random.Random, topics: int, t: int, written: int
) -> int:
    """Topic number `t` and its replies; how many posts it wrote."""
    from community.services import create_topic, reply_to_topic

    author = members[t % len(members)]
    title = f"{TITLES[t % len(TITLES)]}（{t}）"
    kind = "question" if t % 2 else "discussion"
    topic_id, _ = await create_topic(author, category_id, kind, title, search_post(rng, t))
    posts = 1
    for r in range(t % 3):
        replier = members[(t + r + 1) % len(members)]
        await reply_to_topic(replier, topic_id, search_post(rng, topics + written + posts))
        posts += 1
    return posts


async def create_event(csm: Any, title: str, capacity: int) -> int:
    """A published first-come webinar next week, open to every account."""
    from core.timeutil import utcnow
    from events.schemas import EventIn
    from events.services import create_event as create

    starts = (utcnow() + timedelta(days=7)).replace(tzinfo=None, microsecond=0)
    return await create(
        csm,
        EventIn(
            kind="webinar",
            title=title,
            description=(
                "新機能「自動レポート」の使い方を、画面を共有しながらご紹介します。\n\n"
                "- レポートの作成と共有\n- 定期配信の設定\n- よくあるご質問\n\n"
                "Recording and slides are sent afterwards."
            ),
            timezone="UTC",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            online=True,
            join_url="https://zoom.example/j/1234567890",
            capacity=capacity,
            hosts=[csm.id],
        ),
        publish=True,
    )
