"""The console without Temporal: sign-in, cookies, headers, CSRF on every form, no N+1."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.routing import APIRoute
from pydantic import SecretStr
from sqlalchemy import Engine, event

from api.console.auth import safe_next
from api.console.install import PAGES, ConsoleSecretMissing, cookie_jar
from api.console.security import SESSION_COOKIE
from config.settings import Settings
from domain.enums import RcaKind, Role
from domain.models import Deadlines, RcaView
from store.engine import create_engine_for, session_factory
from store.queries import upsert_escalation
from tests.unit.api.conftest import NAMES, bearer
from tests.unit.store.factories import make_view, rca_task

ESCALATION = "esc-01jd5k7q3mz8x4c9v2b6n0p1rt"


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, page.text[:500]
    return found.group(1)


async def signed_in(client: httpx.AsyncClient, token: str) -> httpx.AsyncClient:
    """The module's client, signed in (cookies are kept on the client)."""
    client.cookies.clear()
    form = await client.get("/console/sign-in")
    answer = await client.post("/console/sign-in", data={"token": token,
                                                          "csrf_token": csrf_of(form)})
    assert answer.status_code == 303, answer.text
    return client


class TestSignIn:
    async def test_a_page_asked_for_signed_out_goes_to_sign_in_and_back(
        self, client: httpx.AsyncClient, tokens: dict[Role, str],
    ) -> None:
        client.cookies.clear()
        asked = await client.get("/console/reports?team=billing")
        assert asked.status_code == 303
        assert asked.headers["location"] == (
            "/console/sign-in?next=/console/reports%3Fteam%3Dbilling")
        form = await client.get(asked.headers["location"])
        answer = await client.post("/console/sign-in", data={
            "token": tokens[Role.VIEWER], "csrf_token": csrf_of(form),
            "next": "/console/reports?team=billing"})
        assert answer.headers["location"] == "/console/reports?team=billing"

    async def test_the_session_cookie_is_http_only_lax_and_holds_no_token(
        self, client: httpx.AsyncClient, tokens: dict[Role, str],
    ) -> None:
        client.cookies.clear()
        form = await client.get("/console/sign-in")
        answer = await client.post("/console/sign-in", data={
            "token": tokens[Role.INCIDENT_MANAGER], "csrf_token": csrf_of(form)})
        cookie = next(c for c in answer.headers.get_list("set-cookie")
                      if c.startswith(SESSION_COOKIE))
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert "Max-Age=43200" in cookie  # ESCALATIONS_CONSOLE_SESSION_HOURS, 12 by default
        assert tokens[Role.INCIDENT_MANAGER] not in cookie

    async def test_a_wrong_token_is_refused_on_the_page(self, client: httpx.AsyncClient) -> None:
        client.cookies.clear()
        form = await client.get("/console/sign-in")
        answer = await client.post("/console/sign-in", data={"token": "esk_wrong",
                                                              "csrf_token": csrf_of(form)})
        assert answer.status_code == 401
        assert "That token is not valid." in answer.text

    async def test_the_token_is_never_in_a_page_or_a_log(
        self, client: httpx.AsyncClient, tokens: dict[Role, str],
        caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str],
    ) -> None:
        token = tokens[Role.ENGINEER]
        with caplog.at_level(logging.DEBUG):
            await signed_in(client, token)
            pages = [await client.get(p) for p in ("/console/", "/console/tasks")]
        out, err = capfd.readouterr()
        assert all(token not in page.text for page in pages)
        assert token not in caplog.text + out + err

    async def test_sign_out_ends_the_session(self, client: httpx.AsyncClient,
                                             tokens: dict[Role, str]) -> None:
        await signed_in(client, tokens[Role.VIEWER])
        board = await client.get("/console/")
        await client.post("/console/sign-out", data={"csrf_token": csrf_of(board)})
        assert (await client.get("/console/")).status_code == 303

    @pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/",
                                        "/v1/escalations", "/console\\..\\x"])
    def test_after_sign_in_only_a_console_page_is_a_destination(self, target: str) -> None:
        assert safe_next(target) == "/console/"


class TestCookies:
    def test_secure_when_the_public_url_is_https(self, settings: Settings) -> None:
        https = settings.model_copy(update={
            "escalations_public_url": "https://esc.example",
            "escalations_console_secret": SecretStr("x" * 40)})
        assert cookie_jar(https).cookie_options(60)["secure"] is True

    def test_the_secret_is_required_outside_development(self, settings: Settings) -> None:
        public = settings.model_copy(update={"escalations_public_url": "https://esc.example",
                                             "escalations_console_secret": None})
        with pytest.raises(ConsoleSecretMissing):
            cookie_jar(public)

    def test_an_expired_session_is_no_session(self, settings: Settings) -> None:
        jar = cookie_jar(settings.model_copy(update={
            "escalations_console_secret": SecretStr("y" * 40)}))
        value = jar.session_value("some-key")
        expired = type(jar)(secret=jar.secret, session_seconds=-1, secure=False)
        assert jar.key_id(value) == "some-key"
        assert expired.key_id(value) is None


class TestHeaders:
    @pytest.mark.parametrize("path", ["/console/sign-in", "/console/", "/",
                                      "/console/static/console.css"])
    async def test_every_console_answer_carries_them(
        self, client: httpx.AsyncClient, tokens: dict[Role, str], path: str,
    ) -> None:
        await signed_in(client, tokens[Role.VIEWER])
        answer = await client.get(path)
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"

    async def test_static_files_are_cached(self, client: httpx.AsyncClient) -> None:
        answer = await client.get("/console/static/vendor/htmx.min.js")
        assert answer.status_code == 200
        assert "immutable" in answer.headers["cache-control"]

    async def test_the_json_api_keeps_its_own_answers(self, client: httpx.AsyncClient) -> None:
        answer = await client.get("/v1/escalations")
        assert answer.headers["content-type"] == "application/problem+json"


def _console_posts() -> list[str]:
    fill = {"escalation_id": ESCALATION, "action_name": "cancel",
            "task_id": f"{ESCALATION}.rca.customer"}
    routes = [route for module in PAGES for route in module.router.routes]
    return [route.path.format(**fill) for route in routes
            if isinstance(route, APIRoute) and "POST" in route.methods]


async def test_every_console_form_refuses_a_post_without_its_csrf_token(
    client: httpx.AsyncClient, tokens: dict[Role, str],
) -> None:
    await signed_in(client, tokens[Role.INCIDENT_MANAGER])
    paths = _console_posts()
    assert len(paths) >= 6
    answers = {path: (await client.post(path, data={"reason": "x"})).status_code
               for path in paths}
    assert answers == dict.fromkeys(paths, 403)


class TestMyTasksApi:
    async def test_assignee_me_is_the_caller_s_key_name(
        self, client: httpx.AsyncClient, tokens: dict[Role, str], settings: Settings,
    ) -> None:
        engine = create_engine_for(settings.resolved_database_url)
        mine = rca_task("esc-mine.rca.customer", RcaKind.CUSTOMER,
                        assignee=NAMES[Role.ENGAGEMENT_LEAD])
        other = rca_task("esc-other.rca.customer", RcaKind.CUSTOMER, assignee="someone else")
        with session_factory(engine)() as session, session.begin():
            for escalation_id, task in (("esc-mine", mine), ("esc-other", other)):
                upsert_escalation(session, make_view(
                    escalation_id, rca=RcaView(required=True, customer=task)))
        engine.dispose()

        answer = await client.get("/v1/rca-tasks", params={"assignee": "me"},
                                  headers=bearer(tokens[Role.ENGAGEMENT_LEAD]))

        assert [t["id"] for t in answer.json()["items"]] == ["esc-mine.rca.customer"]


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement any engine sends while the test runs."""
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    yield sent
    event.remove(Engine, "before_cursor_execute", record)


async def test_the_board_reads_fifty_rows_in_a_constant_number_of_statements(
    client: httpx.AsyncClient, tokens: dict[Role, str], settings: Settings,
    statements: list[str],
) -> None:
    now = datetime.now(UTC)
    engine = create_engine_for(settings.resolved_database_url)
    with session_factory(engine)() as session, session.begin():
        for i in range(50):
            upsert_escalation(session, make_view(
                f"esc-board-{i:02d}", created_at=now,
                deadlines=Deadlines(notice_due=now + timedelta(minutes=i + 1)), team="billing"))
    engine.dispose()
    await signed_in(client, tokens[Role.INCIDENT_MANAGER])
    statements.clear()

    board = await client.get("/console/", params={"team": "billing"})

    assert board.status_code == 200
    assert board.text.count('href="/console/escalations/esc-board-') == 50
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert 1 <= len(selects) <= 2, selects  # the page of rows, and at most the undated rest


async def test_the_board_orders_by_next_deadline_unless_asked_for_the_newest(
    client: httpx.AsyncClient, tokens: dict[Role, str], settings: Settings,
) -> None:
    now = datetime.now(UTC)
    engine = create_engine_for(settings.resolved_database_url)
    with session_factory(engine)() as session, session.begin():
        for name, age, due in (("esc-old-urgent", 60, 5), ("esc-new-calm", 1, 50)):
            upsert_escalation(session, make_view(
                name, created_at=now - timedelta(minutes=age), team="sre",
                deadlines=Deadlines(notice_due=now + timedelta(minutes=due))))
    engine.dispose()
    await signed_in(client, tokens[Role.VIEWER])

    def order(page: httpx.Response) -> list[str]:
        return re.findall(r'href="/console/escalations/(esc-[a-z-]+)"', page.text)

    assert order(await client.get("/console/", params={"team": "sre"})) == [
        "esc-old-urgent", "esc-new-calm"]
    assert order(await client.get("/console/", params={"team": "sre", "sort": "newest"})) == [
        "esc-new-calm", "esc-old-urgent"]
