"""What the CSM's workbench brings: touches with homework, tasks and playbooks (evaluated
hourly), the mix and capacity pages, its block on the account page, homework on members'
home pages (done when the content is completed: a CONTENT_COMPLETED listener), its API and
the demo's story."""

from __future__ import annotations

from content.hooks import CONTENT_COMPLETED
from core.i18n import N_
from core.jobs import cron
from core.web import nav
from core.wiring import Domain, Listener
from success.account_page import account_section
from success.admin_pages import PlaybooksController, WorkbenchController
from success.api import HomeworkApiController, WorkbenchApiController
from success.demo import load_success_demo
from success.emails import homework_email, tasks_email
from success.homework import on_content_completed
from success.jobs import EVALUATION_MINUTE, evaluate_playbooks_hourly
from success.member_pages import HomeworkController, home_section
from success.pages import TouchPagesController
from success.task_pages import TasksController

STAFF = {"csm", "admin"}

DOMAIN = Domain(
    name="success",
    routes=(
        TouchPagesController,
        TasksController,
        WorkbenchController,
        PlaybooksController,
        HomeworkController,
        WorkbenchApiController,
        HomeworkApiController,
    ),
    jobs=(homework_email, tasks_email),
    crons=(cron(evaluate_playbooks_hourly, minute={EVALUATION_MINUTE}),),
    nav=(
        nav(N_("Tasks"), "/staff/tasks", STAFF, 21),
        nav(N_("Playbooks"), "/staff/playbooks", STAFF, 84, group="admin"),
    ),
    home_sections=(home_section,),
    account_sections=(account_section,),
    listeners=(Listener(CONTENT_COMPLETED, on_content_completed),),
    demo=lambda settings: load_success_demo(settings),
)
