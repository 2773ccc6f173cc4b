"""Seeds django-spirit for bench.peer; runs with the interpreter of Spirit's own venv.

    DJANGO_SETTINGS_MODULE=spirit_bench.settings python bench/spirit_seed.py < seed.json

Reads the users, category, title and post bodies as JSON on stdin, migrates, collects static
files, creates everything through Spirit's models and forms (so `comment_html` comes from
Spirit's own Markdown renderer, as when a member posts) and prints the topic's path as JSON.
"""

from __future__ import annotations

import json
import sys

import django


def seed(data: dict) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)

    from spirit.admin.forms import BasicConfigForm
    from spirit.category.models import Category
    from spirit.comment.forms import CommentForm
    from spirit.comment.utils import comment_posted
    from spirit.topic.models import Topic

    # Kizuna shows 100 posts a page; Spirit's default is 20 (its admin allows up to 100).
    current = BasicConfigForm()
    values = {name: current.initial.get(name, f.initial) for name, f in current.fields.items()}
    form = BasicConfigForm(data={**values, "comments_per_page": data["per_page"]})
    if not form.is_valid():
        raise SystemExit(f"config: {form.errors}")
    form.save()

    user_model = get_user_model()
    users = []
    for spec in data["users"]:
        user = user_model.objects.create_user(
            username=spec["username"], email=spec["email"], password=spec["password"]
        )
        user.st.is_verified = True
        user.st.save()
        users.append(user)
    category = Category.objects.create(title=data["category"])
    topic = Topic.objects.create(user=users[0], category=category, title=data["title"])
    for n, text in enumerate(data["bodies"]):
        author = users[n % len(users)]
        comment_form = CommentForm(user=author, topic=topic, data={"comment": text})
        if not comment_form.is_valid():
            raise SystemExit(f"comment {n}: {comment_form.errors}")
        comment = comment_form.save()
        comment_posted(comment=comment, mentions=comment_form.mentions)
    topic.refresh_from_db()
    return {"path": topic.get_absolute_url(), "comments": topic.comment_count}


if __name__ == "__main__":
    django.setup()
    print(json.dumps(seed(json.load(sys.stdin))))
