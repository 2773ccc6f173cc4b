"""HTML forms into pydantic models, with field errors in the user's language."""

from __future__ import annotations

import secrets
from typing import Any, TypeVar

from litestar import Request
from pydantic import BaseModel, ValidationError

from core.errors import DomainError
from core.i18n import N_, gettext

Model = TypeVar("Model", bound=BaseModel)

_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("Enter at least %(min_length)s characters."),
    "string_too_long": N_("Enter at most %(max_length)s characters."),
    "too_short": N_("Enter at least %(min_length)s items."),
    "too_long": N_("Enter at most %(max_length)s items."),
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "float_parsing": N_("Enter a number."),
    "decimal_parsing": N_("Enter a number."),
    "greater_than_equal": N_("Enter a value of at least %(ge)s."),
    "greater_than": N_("Enter a value greater than %(gt)s."),
    "less_than_equal": N_("Enter a value of at most %(le)s."),
    "less_than": N_("Enter a value less than %(lt)s."),
    "literal_error": N_("Choose one of the offered values."),
    "enum": N_("Choose one of the offered values."),
    "value_error": N_("Enter a valid value."),
    "bool_parsing": N_("Choose yes or no."),
    "datetime_parsing": N_("Enter a valid date and time."),
    "datetime_from_date_parsing": N_("Enter a valid date and time."),
    "date_parsing": N_("Enter a valid date."),
    "string_type": N_("Enter text."),
    "url_parsing": N_("Enter a valid URL."),
    "url_scheme": N_("Enter a URL starting with http:// or https://."),
    "json_invalid": N_("The request body is not valid JSON."),
    "model_type": N_("The request body has the wrong shape."),
    "dict_type": N_("The request body has the wrong shape."),
}


class FieldMessage(ValueError):
    """Raise from a validator with a msgid; it is translated when shown."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


def field_errors(exc: ValidationError) -> dict[str, str]:
    """First error per field, translated."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "__all__"
        if field in errors:
            continue
        kind = error["type"]
        if kind == "string_type" and error.get("input") is None:
            kind = "missing"  # read_form sends blank fields as None
        errors[field] = _translate(kind, error.get("ctx") or {}, error.get("msg", ""))
    return errors


def _translate(kind: str, ctx: dict[str, Any], fallback: str) -> str:
    raised = ctx.get("error")
    if isinstance(raised, FieldMessage):
        return gettext(raised.message, **raised.params)
    if kind.startswith("value_error") and "email" in fallback.lower():
        return gettext("Enter a valid email address.")
    message = _MESSAGES.get(kind)
    if message is None:
        return gettext("Enter a valid value.")
    params = {k: v for k, v in ctx.items() if isinstance(v, int | float | str)}
    try:
        return gettext(message, **params)
    except (KeyError, ValueError, TypeError):
        return gettext("Enter a valid value.")


def translate_validation_extra(extra: Any) -> dict[str, str]:
    """Litestar's ValidationException extras (API bodies and parameters) in the user's language."""
    errors: dict[str, str] = {}
    for item in extra if isinstance(extra, list) else []:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or item.get("source") or "__all__")
        message = str(item.get("message", ""))
        if key in errors:
            continue
        lowered = message.lower()
        if "required" in lowered or "missing" in lowered:
            errors[key] = gettext("This field is required.")
        elif "json" in lowered:
            errors[key] = gettext("The request body is not valid JSON.")
        else:
            errors[key] = gettext("Enter a valid value.")
    return errors


async def read_form(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The submitted form as a dict; repeated fields become lists; blank strings become None."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key in form:
        if key == "_csrf_token":
            continue
        values = form.getall(key)
        cleaned = [v.strip() if isinstance(v, str) else v for v in values]
        cleaned = [None if v == "" else v for v in cleaned]
        data[key] = cleaned if len(cleaned) > 1 else cleaned[0]
    return data


def validate(model: type[Model], data: dict[str, Any]) -> tuple[Model | None, dict[str, str]]:
    """(instance, {}) when valid, else (None, translated field errors).

    A field left blank (None from read_form) that the model does not require takes its
    default: "名前（任意）" left empty is not "This field is required." A required one still is.
    """
    optional = {name for name, info in model.model_fields.items() if not info.is_required()}
    data = {k: v for k, v in data.items() if not (v is None and k in optional)}
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        return None, field_errors(exc)


def form_failure(exc: DomainError) -> dict[str, str]:
    """The errors of a refused form, translated, with the headline under `__all__`."""
    errors = dict(exc.field_errors)
    errors["__all__"] = exc.translated()
    return errors


Problems = dict[str, tuple[str, dict[str, Any]]]
"""A service's refusals by field: {field: (msgid, its parameters)}, in the form's order."""


def refuse(problems: Problems) -> None:
    """Raise one DomainError naming every wrong field (the first is the headline)."""
    if problems:
        message, params = next(iter(problems.values()))
        translated = {name: gettext(m, **p) for name, (m, p) in problems.items()}
        raise DomainError(message, field_errors=translated, **params)


def as_list(value: Any) -> Any:
    """A form sends one checked box as a value and several as a list; none as nothing."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [item for item in value if item not in (None, "")]
    return [value]


def fields_of(model: type[BaseModel], data: dict[str, Any]) -> dict[str, Any]:
    """The form's values of `model`'s fields only (a form also posts its CSRF token and
    fields another model reads), for a model that refuses unknown fields (an API body)."""
    return {name: value for name, value in data.items() if name in model.model_fields}


def form_token() -> str:
    """A fresh token for a form's hidden `client_token`: the same submission sent twice (a
    double click, a retried request) is recognised by it and acted on once."""
    return secrets.token_urlsafe(16)
