"""Pages for signing in and out, invitations, sign-up, password reset, language and settings."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from accounts import auth
from accounts.api import member_out
from accounts.schemas import (
    EmailForm,
    InvitationAcceptForm,
    LoginForm,
    MemberOut,
    PasswordChangeForm,
    PasswordForm,
    SettingsForm,
    SignupForm,
)
from accounts.services import set_password, update_member
from accounts.settings import AccountsSettings
from accounts.tables import Member
from accounts.unsubscribe import UnsubscribeController
from core.errors import DomainError
from core.forms import read_form, validate
from core.guards import requires_member
from core.i18n import LOCALES, gettext, lazy
from core.problems import SIGNED_IN, problem_responses
from core.ratelimit import RateLimiter
from core.security import verify_password
from core.sessions import ROTATE_KEY
from core.web import client_ip, flash, redirect, safe_next

TIMEZONES = (
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
)


def _page(template: str, status: int = 200, **context: Any) -> Template:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return Template(template, context=context, status_code=status)


def _failure(template: str, exc: DomainError, values: dict[str, Any], **context: Any) -> Template:
    errors = {k: gettext(v) for k, v in exc.field_errors.items()}
    errors["__all__"] = exc.translated()
    return Template(
        template,
        context={"errors": errors, "values": values, **context},
        status_code=exc.status_code,
        headers=exc.headers or None,
    )


def sign_in(request: Request[Any, Any, Any], member: Member) -> None:
    session = request.scope.get("session")
    if not isinstance(session, dict):
        session = {}
    session.clear()
    session.update({"member_id": member.id, ROTATE_KEY: True})
    request.scope["session"] = session


class AuthController(Controller):
    """Sign-in, sign-out, invitations, self sign-up and password reset."""

    @get("/login", include_in_schema=False)
    async def login_page(
        self, request: Request[Any, Any, Any], next: FromQuery[str | None] = None
    ) -> Template | Redirect:
        """The sign-in form."""
        if request.scope.get("user") is not None:
            return redirect(safe_next(next))
        return _page("accounts/login.html", values={"next": next or ""})

    @post("/login", include_in_schema=False)
    async def login(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[AccountsSettings],
        limiter: NamedDependency[RateLimiter],
    ) -> Template | Redirect:
        """Check the credentials (rate-limited per address and per IP) and start a session."""
        data = await read_form(request)
        form, errors = validate(LoginForm, data)
        if form is None:
            return _page("accounts/login.html", 400, errors=errors, values=data)
        try:
            member = await auth.authenticate(
                form.email, form.password, client_ip(request), settings, limiter
            )
        except DomainError as exc:
            return _failure("accounts/login.html", exc, {"email": form.email, "next": form.next})
        sign_in(request, member)
        return redirect(safe_next(form.next))

    @post("/logout", include_in_schema=False)
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        """End the session."""
        request.clear_session()
        return redirect("/login")

    @get("/invitations/accept", include_in_schema=False)
    async def invitation_page(
        self, token: FromQuery[str], settings: NamedDependency[AccountsSettings]
    ) -> Template:
        """The page where an invited person sets a name and password."""
        try:
            invitation = await auth.open_invitation(token, settings)
        except DomainError as exc:
            return _failure("accounts/invitation.html", exc, {}, invitation=None, token="")
        return _page(
            "accounts/invitation.html",
            invitation=invitation,
            token=token,
            values={"display_name": invitation.display_name},
        )

    @post("/invitations/accept", include_in_schema=False)
    async def accept_invitation(
        self, request: Request[Any, Any, Any], settings: NamedDependency[AccountsSettings]
    ) -> Template | Redirect:
        """Create the member from the invitation and sign them in."""
        data = await read_form(request)
        form, errors = validate(InvitationAcceptForm, data)
        token = str(data.get("token") or "")
        if form is None:
            return _page(
                "accounts/invitation.html",
                400,
                errors=errors,
                values=data,
                invitation=None,
                token=token,
            )
        try:
            member = await auth.accept_invitation(
                form.token, form.display_name, form.password, settings
            )
        except DomainError as exc:
            return _failure("accounts/invitation.html", exc, data, invitation=None, token=token)
        sign_in(request, member)
        flash(request, lazy("Welcome to Kizuna, %(name)s!", name=member.display_name), "success")
        return redirect("/")

    @get("/signup", include_in_schema=False)
    async def signup_page(self) -> Template:
        """Self sign-up with a company email address."""
        return _page("accounts/signup.html", sent=False)

    @post("/signup", include_in_schema=False)
    async def signup(
        self, request: Request[Any, Any, Any], settings: NamedDependency[AccountsSettings]
    ) -> Template:
        """Email a link that completes the sign-up when the domain allows it."""
        data = await read_form(request)
        form, errors = validate(SignupForm, data)
        if form is None:
            return _page("accounts/signup.html", 400, errors=errors, values=data, sent=False)
        from core.i18n import get_locale

        try:
            await auth.request_signup(form.email, form.display_name, get_locale(), settings)
        except DomainError as exc:
            return _failure("accounts/signup.html", exc, data, sent=False)
        return _page("accounts/signup.html", sent=True, values={"email": form.email})

    @get("/signup/complete", include_in_schema=False)
    async def signup_complete_page(
        self, token: FromQuery[str], settings: NamedDependency[AccountsSettings]
    ) -> Template:
        """Choose a password to finish signing up."""
        try:
            payload = auth.open_signup(token, settings)
        except DomainError as exc:
            return _failure("accounts/signup_complete.html", exc, {}, token="", email="")
        return _page("accounts/signup_complete.html", token=token, email=payload["e"])

    @post("/signup/complete", include_in_schema=False)
    async def signup_complete(
        self, request: Request[Any, Any, Any], settings: NamedDependency[AccountsSettings]
    ) -> Template | Redirect:
        """Create the member and sign them in."""
        data = await read_form(request)
        form, errors = validate(PasswordForm, data)
        token = str(data.get("token") or "")
        if form is None:
            return _page("accounts/signup_complete.html", 400, errors=errors, token=token, email="")
        try:
            member = await auth.complete_signup(form.token, form.password, settings)
        except DomainError as exc:
            return _failure("accounts/signup_complete.html", exc, {}, token=token, email="")
        sign_in(request, member)
        flash(request, lazy("Welcome to Kizuna, %(name)s!", name=member.display_name), "success")
        return redirect("/")

    @get("/password/forgot", include_in_schema=False)
    async def forgot_page(self) -> Template:
        """Ask for a password-reset email."""
        return _page("accounts/forgot.html", sent=False)

    @post("/password/forgot", include_in_schema=False)
    async def forgot(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[AccountsSettings],
        limiter: NamedDependency[RateLimiter],
    ) -> Template:
        """Send the reset link; the answer is the same whether the address exists or not."""
        data = await read_form(request)
        form, errors = validate(EmailForm, data)
        if form is None:
            return _page("accounts/forgot.html", 400, errors=errors, values=data, sent=False)
        key = f"reset:ip:{client_ip(request)}"
        if await limiter.hit(key, 3600) > settings.signin_limit_per_ip:
            return _page(
                "accounts/forgot.html",
                429,
                sent=False,
                values=data,
                errors={
                    "__all__": gettext("Too many attempts. Please wait a while and try again.")
                },
            )
        await auth.request_password_reset(str(form.email), settings)
        return _page("accounts/forgot.html", sent=True)

    @get("/password/reset", include_in_schema=False)
    async def reset_page(
        self, token: FromQuery[str], settings: NamedDependency[AccountsSettings]
    ) -> Template:
        """Choose a new password."""
        try:
            await auth.open_password_reset(token, settings)
        except DomainError as exc:
            return _failure("accounts/reset.html", exc, {}, token="")
        return _page("accounts/reset.html", token=token)

    @post("/password/reset", include_in_schema=False)
    async def reset(
        self, request: Request[Any, Any, Any], settings: NamedDependency[AccountsSettings]
    ) -> Template | Redirect:
        """Set the new password and sign in."""
        data = await read_form(request)
        form, errors = validate(PasswordForm, data)
        token = str(data.get("token") or "")
        if form is None:
            return _page("accounts/reset.html", 400, errors=errors, token=token)
        try:
            member = await auth.reset_password(form.token, form.password, settings)
        except DomainError as exc:
            return _failure("accounts/reset.html", exc, {}, token=token)
        sign_in(request, member)
        flash(request, lazy("Your password has been changed."), "success")
        return redirect("/")


class PreferencesController(Controller):
    """Language switch (anyone) and the member's own settings."""

    @post("/locale", include_in_schema=False)
    async def switch_locale(self, request: Request[Any, Any, Any]) -> Redirect:
        """Switch the UI language; remembered on the member, or in a cookie when signed out."""
        data = await read_form(request)
        locale = data.get("locale")
        target = safe_next(data.get("next"))
        if locale not in LOCALES:
            return redirect(target)
        user = request.scope.get("user")
        if user is not None:
            await Member.update({Member.locale: locale}).where(Member.id == user.id)
        response = redirect(target)
        response.set_cookie(
            "kizuna_locale", str(locale), max_age=365 * 86400, samesite="lax", httponly=True
        )
        return response

    @get("/settings", guards=[requires_member], include_in_schema=False)
    async def settings_page(self, request: Request[Any, Any, Any]) -> Template:
        """The member's profile, language, time zone and notification choices."""
        return _page("accounts/settings.html", values=request.user.to_dict(), timezones=TIMEZONES)

    @post("/settings", guards=[requires_member], include_in_schema=False)
    async def save_settings(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Save the profile."""
        data = await read_form(request)
        form, errors = validate(SettingsForm, data)
        if form is None:
            return _page(
                "accounts/settings.html", 400, errors=errors, values=data, timezones=TIMEZONES
            )
        await update_member(request.user.id, form.model_dump())
        flash(request, lazy("Your settings have been saved."), "success")
        return redirect("/settings")

    @post("/settings/password", guards=[requires_member], include_in_schema=False)
    async def change_password(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """Change the password, given the current one."""
        data = await read_form(request)
        form, errors = validate(PasswordChangeForm, data)
        values = request.user.to_dict()
        if form is None:
            return _page(
                "accounts/settings.html", 400, errors=errors, values=values, timezones=TIMEZONES
            )
        if not verify_password(request.user.password_hash, form.current_password):
            return _page(
                "accounts/settings.html",
                400,
                values=values,
                timezones=TIMEZONES,
                errors={"current_password": gettext("The current password is wrong.")},
            )
        await set_password(request.user.id, form.password)
        flash(request, lazy("Your password has been changed."), "success")
        return redirect("/settings")


class MeApiController(Controller):
    path = "/api/v1/me"
    guards = [requires_member]
    tags = ["accounts"]

    @get("/", responses=problem_responses(*SIGNED_IN))
    async def me(self, request: Request[Any, Any, Any]) -> MemberOut:
        """The signed-in member."""
        return member_out(request.user)


ROUTES = [AuthController, PreferencesController, MeApiController, UnsubscribeController]
