"""Web fixtures: a polled project with four users, an app on a fixed clock, signed-in clients."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.applications import Starlette

from bot.config import load_settings
from bot.pipeline import poll_once
from bot.runtime import Runtime, build_runtime
from bot.web import create_app
from tests.conftest import NOW, mention

PASSWORD = "correct horse battery"
PEOPLE = {"ada": "admin", "maya": "manager", "tom": "manager", "vic": "viewer"}
HOSTILE = "<script>alert('pwned')</script> <img src=x onerror=alert(1)> @nimbushome my order never arrived"


class Client:
    """A synchronous face on httpx's ASGI transport: requests go to the app in-process, cookies are kept."""

    def __init__(self, app: Starlette, base_url: str = "http://testserver") -> None:
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """Send one request and wait for the answer."""
        return asyncio.run(self._client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        """GET ``url``."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        """POST to ``url``."""
        return self.request("POST", url, **kwargs)

    @property
    def cookies(self) -> httpx.Cookies:
        """The cookies the client holds."""
        return self._client.cookies


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def add_people(rt: Runtime) -> None:
    """The four test users, all with :data:`PASSWORD`.

    One argon2id hash with light parameters keeps each sign-in fast (the check reads its parameters
    from the hash); the app's own hashes use argon2's defaults, see test_auth.
    """
    digest = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    for name, role in PEOPLE.items():
        rt.store.users.add(name, role, digest, NOW)


@pytest.fixture
def web_rt(make_project: Callable[..., Path]) -> Iterator[Runtime]:
    """A runtime whose queue holds the default mentions plus a hostile one, with users added."""
    from tests.conftest import DEFAULT_MENTIONS

    rt = build_runtime(load_settings(make_project(
        [*DEFAULT_MENTIONS, mention("106", HOSTILE, -60, "<b>evil</b>\"'")])))
    poll_once(rt, NOW)
    add_people(rt)
    yield rt
    rt.close()


@pytest.fixture
def clock() -> Clock:
    """The app's clock, starting at the shared NOW."""
    return Clock(NOW)


@pytest.fixture
def app(web_rt: Runtime, clock: Clock) -> Starlette:
    """The web app over the test runtime."""
    return create_app(web_rt, clock)


def sign_in(client: Client, name: str, password: str = PASSWORD, next_: str = "/queue") -> None:
    """Sign in through the real form (login token cookie included)."""
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token is not None
    response = client.post("/login", data={"name": name, "password": password, "login_token": token.group(1),
                                           "next": next_}, follow_redirects=False)
    assert response.status_code == 303, response.text


def csrf_of(client: Client, path: str = "/queue") -> str:
    """The CSRF token printed in a page for the signed-in user."""
    found = re.search(r'name="csrf-token" content="([^"]*)"', client.get(path).text)
    assert found is not None and found.group(1)
    return found.group(1)


@pytest.fixture
def signed_in(app: Starlette) -> Callable[[str], Client]:
    """A factory of clients signed in as one of :data:`PEOPLE`."""
    def make(name: str) -> Client:
        client = Client(app)
        sign_in(client, name)
        return client

    return make


@pytest.fixture
def app_for(clock: Clock) -> Iterator[Callable[[Path], tuple[Client, Runtime]]]:
    """A signed-in manager's client on the app over a project of the test's own (polled once at NOW)."""
    opened: list[Runtime] = []

    def make(config: Path) -> tuple[Client, Runtime]:
        rt = build_runtime(load_settings(config))
        opened.append(rt)
        poll_once(rt, NOW)
        add_people(rt)
        client = Client(create_app(rt, clock))
        sign_in(client, "maya")
        return client, rt

    yield make
    for rt in opened:
        rt.close()
