"""Account administration for admins: add, disable, enable, change role, reset a password.

A new or reset password is shown once on the page that answers the form, never kept in the session.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from intake.store import Database
from intake.tickets import add_event
from intake.web.auth import AdminUser, context_of
from intake.web.rendering import flash, render, translator
from intake.web.users import (
    ROLES,
    Account,
    UserError,
    add_user,
    generate_password,
    list_users,
    reset_password,
    set_active,
    set_role,
)

router = APIRouter(include_in_schema=False)


def _page(request: Request, notice: str | None = None, status_code: int = 200) -> Response:
    return render(
        request,
        "users.html",
        status_code,
        users=list_users(context_of(request).db),
        roles=ROLES,
        notice=notice,
    )


def _audit(request: Request, who: Account, kind: str, username: str, **data: object) -> None:
    with context_of(request).db.session() as session:
        add_event(session, None, kind, actor=who.username, user=username, **data)


@router.get("/admin/users", name="users")
def users(request: Request, who: AdminUser) -> Response:
    return _page(request)


@router.post("/admin/users", name="add_user")
def add(
    request: Request,
    who: AdminUser,
    username: str = Form(...),
    display_name: str = Form(""),
    role: str = Form("agent"),
    language: str = Form("nl"),
) -> Response:
    t = translator(request)
    password = generate_password()
    try:
        created = add_user(
            context_of(request).db,
            username,
            role=role,
            password=password,
            display_name=display_name,
            language=language,
        )
    except UserError as exc:
        return _page(request, str(exc), 400)
    _audit(request, who, "user_added", created.username, role=role)
    return _page(request, t("users.created", username=created.username, password=password))


@router.post("/admin/users/{username}/reset", name="reset_user")
def reset(request: Request, who: AdminUser, username: str) -> Response:
    t = translator(request)
    password = generate_password()
    try:
        reset_password(context_of(request).db, username, password)
    except UserError as exc:
        return _page(request, str(exc), 404)
    _audit(request, who, "password_reset", username)
    return _page(request, t("users.reset_done", username=username, password=password))


@router.post("/admin/users/{username}/disable", name="disable_user")
def disable(request: Request, who: AdminUser, username: str) -> Response:
    if username == who.username:
        flash(request, "flash.invalid", "error")
        return RedirectResponse("/admin/users", status_code=303)
    return _change(
        request, who, username, lambda db: set_active(db, username, False), "user_disabled"
    )


@router.post("/admin/users/{username}/enable", name="enable_user")
def enable(request: Request, who: AdminUser, username: str) -> Response:
    return _change(
        request, who, username, lambda db: set_active(db, username, True), "user_enabled"
    )


@router.post("/admin/users/{username}/role", name="user_role")
def role(request: Request, who: AdminUser, username: str, role: str = Form(...)) -> Response:
    return _change(
        request, who, username, lambda db: set_role(db, username, role), "role_changed", role=role
    )


def _change(
    request: Request,
    who: Account,
    username: str,
    apply: Callable[[Database], None],
    kind: str,
    **data: object,
) -> Response:
    try:
        apply(context_of(request).db)
    except UserError as exc:
        return _page(request, str(exc), 400)
    _audit(request, who, kind, username, **data)
    flash(request, "users.changed", username=username)
    return RedirectResponse("/admin/users", status_code=303)
