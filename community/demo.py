"""Demo forum content for a fresh embedded database: categories, questions, answers, likes."""

from __future__ import annotations

from accounts.tables import Account, Member
from community.answers import accept_answer
from community.categories import save_category
from community.reactions import like_post
from community.services import create_topic, reply_to_topic
from community.tables import Visibility

CATEGORIES = [
    ("お知らせ", "製品のリリース情報やメンテナンスのお知らせです。", Visibility.all),
    ("質問・相談", "使い方や設定で困ったことを気軽に質問してください。", Visibility.all),
    ("活用事例", "チームでの活用方法や工夫を共有しましょう。", Visibility.all),
    ("CSMチーム", "スタッフ専用の連絡スペースです。", Visibility.staff),
]

THREADS = [
    # (category index, kind, author email, title, body, [(replier email, body)], accepted reply no.)
    (
        1,
        "question",
        "yamada@sakura-tech.example",
        "請求書の締め日を変更するには？",
        "月末締めを20日締めに変えたいのですが、**どの画面から**操作すればよいでしょうか？\n\n"
        "- 現在のプラン: Enterprise\n- 利用人数: 約120名",
        [
            (
                "tanaka@minato-logi.example",
                "「設定 → 請求 → 締め日」から変更できます。当社も20日締めにしています。",
            ),
            (
                "csm@kizuna.example",
                "補足です。締め日は「請求設定」で変更できます。詳しくは次回のもくもく会でも扱います。",
            ),
        ],
        2,
    ),
    (
        1,
        "question",
        "kobayashi@hokuto-foods.example",
        "CSVインポートで文字化けします",
        "Excel で作った CSV を取り込むと日本語が文字化けします。対処法はありますか？",
        [
            (
                "suzuki@sakura-tech.example",
                "Excel では「CSV UTF-8（コンマ区切り）」で保存すると文字化けしませんでした。",
            )
        ],
        None,
    ),
    (
        2,
        "discussion",
        "ito@minato-logi.example",
        "倉庫チームでのダッシュボード活用",
        "出荷状況を朝会で確認するために、ダッシュボードを大型モニターに表示しています。\n\n"
        "| 指標 | 更新頻度 |\n|---|---|\n| 出荷件数 | 15分 |\n| 遅延 | 5分 |",
        [("yamada@sakura-tech.example", "良いですね！当社でも営業会議で同じ使い方をしています。")],
        None,
    ),
]


async def load_community_demo() -> None:
    """Create the demo categories and threads through the real services (signals included)."""
    members = {m.email: m for m in await Member.objects()}
    if not members or not await Account.exists():
        return
    categories = []
    for position, (name, description, visibility) in enumerate(CATEGORIES, start=1):
        category = await save_category(
            None,
            {
                "name": name,
                "description": description,
                "position": position,
                "visibility": visibility.value,
            },
        )
        categories.append(category.id)
    for index, kind, author, title, body, replies, accepted in THREADS:
        asker = members[author]
        topic_id, _ = await create_topic(asker, categories[index], kind, title, body)
        reply_ids = []
        for replier, text in replies:
            post_id, _, _ = await reply_to_topic(members[replier], topic_id, text)
            reply_ids.append(post_id)
            await like_post(asker, post_id)
        if accepted is not None:
            await accept_answer(asker, topic_id, reply_ids[accepted - 2])
