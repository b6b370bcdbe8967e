"""User management for admins: list, add, change role, disable or enable."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.store.users import ROLES
from bot.web.context import acting_form, error_page, redirect, render, user_of, web
from bot.web.security import hash_password

MIN_PASSWORD = 10


async def users(request: Request) -> Response:
    """The list of users (admins only)."""
    user = user_of(request)
    if user is None or not user.is_admin:
        return error_page(request, 403, "Only admins manage users.")
    return render(request, "users.html", people=web(request).rt.store.users.all(), roles=ROLES)


async def change(request: Request) -> Response:
    """Add a user, or change one's role or disabled flag (admins only)."""
    checked = await acting_form(request)
    if isinstance(checked, Response):
        return checked
    admin, form = checked
    if not admin.is_admin:
        return error_page(request, 403, "Only admins manage users.")
    if request.path_params.get("op") not in ("add", "update"):
        return error_page(request, 404, "There is nothing at this address.")
    w = web(request)
    now = w.clock()
    name = str(form.get("name", "")).strip()[:100]
    role = str(form.get("role", ""))
    try:
        if request.path_params.get("op") == "add":
            password = str(form.get("password", ""))
            if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
                raise ValueError("a user name is letters, digits, '-', '_' or '.'")
            if len(password) < MIN_PASSWORD:
                raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
            w.rt.store.users.add(name, role, hash_password(password), now)
            message = f"Added {name} as {role}."
        else:
            if name.lower() == admin.name.lower():
                raise ValueError("you cannot change your own role or disable yourself here; ask another admin")
            disabled = {"disable": True, "enable": False}.get(str(form.get("state", "")))
            w.rt.store.users.update(name, now, role=role or None, disabled=disabled)
            message = f"Updated {name}."
    except ValueError as exc:
        return redirect(request, "/users", "error", str(exc))
    w.rt.store.audit.record(admin.name, "user_" + str(request.path_params.get("op")), "user", None,
                            {"name": name, "role": role}, now)
    return redirect(request, "/users", "ok", message)


routes: list[BaseRoute] = [
    Route("/users", users),
    Route("/users/{op:str}", change, methods=["POST"]),
]
