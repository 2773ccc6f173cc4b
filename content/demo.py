"""Demo content library for a fresh embedded database: the tech-touch items CSMs give as
homework (setup guides, videos, checklists, webinar recordings)."""

from __future__ import annotations

from accounts.tables import Member
from content.schemas import ContentIn
from content.services import save_item

ITEMS = [
    ContentIn(
        title="初期設定ガイド：最初の30分でやること",
        summary="管理者アカウントの設定から、チームメンバーの招待までを順に説明します。",
        kind="article",
        body=(
            "## 1. 組織情報を登録する\n\n「設定 → 組織」で会社名とロゴを登録します。\n\n"
            "## 2. メンバーを招待する\n\n「設定 → メンバー」から CSV で一括招待できます。\n\n"
            "## 3. 通知を設定する\n\nメール通知とチャット連携を選びます。"
        ),
        minutes=30,
        tags="setup onboarding",
        published=True,
    ),
    ContentIn(
        title="動画：請求設定と締め日の変更",
        summary="請求書の締め日・支払条件の設定方法を 12 分の動画で解説します。",
        kind="video",
        url="https://videos.kizuna.example/billing-settings",
        minutes=12,
        tags="billing",
        published=True,
    ),
    ContentIn(
        title="CSV インポート準備チェックリスト",
        summary="取り込み前に確認する 8 項目。文字コードや日付形式のつまずきを防ぎます。",
        kind="checklist",
        body=(
            "- [ ] 文字コードは UTF-8（Excel では「CSV UTF-8」）\n"
            "- [ ] 日付は 2026-04-01 の形式\n- [ ] 必須列（氏名・メール）が埋まっている\n"
            "- [ ] 重複するメールアドレスがない\n- [ ] 部署名の表記ゆれを揃えた"
        ),
        minutes=15,
        tags="setup csv",
        published=True,
    ),
    ContentIn(
        title="ウェビナー録画：新機能「自動レポート」活用",
        summary="先月のウェビナーの録画です。定例レポートを自動で配信する設定を紹介しています。",
        kind="recording",
        url="https://videos.kizuna.example/webinar-auto-report",
        minutes=45,
        tags="reports webinar",
        published=True,
    ),
    ContentIn(
        title="ダッシュボード活用：朝会で使える 5 つのビュー",
        summary="現場の朝会でよく使われるダッシュボードの構成例です。",
        kind="article",
        body="出荷件数、遅延、担当別の進捗など、朝会で見るべき指標とその並べ方を紹介します。",
        minutes=20,
        tags="dashboard",
        published=True,
    ),
    ContentIn(
        title="権限設計ワークシート（大規模導入向け）",
        summary="部門ごとの権限を設計するためのワークシートです。ハイタッチ顧客向け。",
        kind="checklist",
        body="部門・役割・閲覧範囲・編集範囲を表に整理し、承認フローを決めます。",
        minutes=40,
        tags="admin security",
        audience="tiers",
        audience_tiers=["high"],
        published=True,
    ),
]


async def load_content_demo() -> None:
    """The library's items, written by the demo admin."""
    admin = await Member.objects().where(Member.email == "admin@kizuna.example").first()
    if admin is None:
        return
    for item in ITEMS:
        await save_item(admin, None, item)
