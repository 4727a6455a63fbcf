"""Pages from templates: the language, the user and the CSRF token in every one."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from uuid import uuid4

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse, RedirectResponse, Response

from akiba_contracts.rights import Right
from akiba_web.backend import ApiError
from akiba_web.forms import FormError
from akiba_web.host import Host
from akiba_web.i18n import Translator, remembered
from akiba_web.session import LANG, csrf_token, finish

BASE = "/app"
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(("html",)),
    trim_blocks=True,
    lstrip_blocks=True,
)


def translator(request: Request) -> Translator:
    """The request's language: the user's cookie, else the browser's preference."""
    host: Host = request.app.state.host
    user = getattr(request.state, "user", None)
    chosen = remembered(request.cookies.get(LANG), user.name if user else None)
    code = host.catalogues.choose(chosen, request.headers.get("accept-language"))
    return host.catalogues.translator(code)


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """The template rendered for this request, cookies queued during it included."""
    host: Host = request.app.state.host
    t = translator(request)
    page = TEMPLATES.get_template(template).render(
        t=t,
        base=BASE,
        host=host,
        ref=host.reference,
        user=getattr(request.state, "user", None),
        csrf=csrf_token(request),
        languages=host.catalogues.languages,
        path=request.url.path,
        new_key=lambda: uuid4().hex,
        explain=lambda err: explain(t, err),
        allowed=lambda user, right, store=None: user.may(Right(right), store),
        query=lambda **kw: urlencode({k: v for k, v in kw.items() if v not in (None, "")}),
        **context,
    )
    response = HTMLResponse(page, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return finish(request, response)


def explain(t: Translator, err: Exception | None) -> str:
    """What went wrong, in the user's language: a field to correct, or the API's refusal."""
    if err is None:
        return ""
    if isinstance(err, FormError):
        return t("form.field_error", field=t(f"field.{err.field.split(':')[0]}"), why=t(err.key))
    if isinstance(err, ApiError):
        slug = re.sub(r"[^a-z0-9]+", "_", err.title.lower()).strip("_")
        for key in (f"problem.{slug}", f"error.status_{err.status}"):
            if t.has(key):
                return t(key)
    return t("error.other")


def redirect(request: Request, to: str) -> Response:
    """See other (303): the browser GETs the next page, so a reload never re-posts."""
    return finish(request, RedirectResponse(to, status_code=303))


def fragment(request: Request, template: str, **context: Any) -> Response:
    """A piece of a page (the live alert table), rendered like a page."""
    return render(request, template, **context)
