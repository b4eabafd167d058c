"""The email channel against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import trustme
from pydantic import SecretStr
from sqlalchemy.orm import sessionmaker
from sqlmodel import Session
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.channels.config import SmtpConfig
from activities.channels.email import message_id
from domain.enums import ContactChannel, NotificationAudience
from domain.messages import DeliveryInput
from tests.support.receivers import SmtpReceiver
from tests.unit.activities.builders import delivery, stored
from tests.unit.activities.conftest import Build

SENDER = "Escalations <escalations@corp.example>"
LOGIN, PASSWORD = "notifier", "smtp-pa55word-secret"


def smtp_for(receiver: SmtpReceiver, **overrides: object) -> SmtpConfig:
    values: dict[str, object] = {"host": receiver.host, "port": receiver.port, "sender": SENDER}
    values.update(overrides)
    return SmtpConfig(**values)  # type: ignore[arg-type]


def mail(id: str = "esc-01:notice:3:0") -> DeliveryInput:
    return delivery(ContactChannel.EMAIL, "ops@acme.example", id=id)


async def deliver(build: Build, payload: DeliveryInput, smtp: SmtpConfig) -> str:
    result = await ActivityEnvironment().run(build(smtp=smtp).deliver_notification, payload)
    return result.status


class TestCustomerMail:
    async def test_carries_the_message_and_nothing_internal(
        self, build: Build, smtp_receiver: SmtpReceiver
    ) -> None:
        payload = delivery(ContactChannel.EMAIL, "ops@acme.example",
                           audience=NotificationAudience.CUSTOMER)
        assert await deliver(build, payload, smtp_for(smtp_receiver)) == "delivered"

        message = smtp_receiver.messages[0].message
        for part in ("plain", "html"):
            body = message.get_body((part,))
            assert body is not None
            text = body.get_content()
            assert "We are investigating a double charge." in text
            for internal in ("Priority", "Next deadline", "/v1/escalations", "8233"):
                assert internal not in text, (part, internal)


class TestMessage:
    async def test_paragraphs_become_paragraphs_in_html(
        self, build: Build, smtp_receiver: SmtpReceiver
    ) -> None:
        payload = delivery(ContactChannel.EMAIL, "ops@acme.example")
        payload.notification.message = "First paragraph.\n\nSecond <b>one</b>,\nits line."
        assert await deliver(build, payload, smtp_for(smtp_receiver)) == "delivered"

        html = smtp_receiver.messages[0].message.get_body(("html",))
        assert html is not None
        assert ("<p>First paragraph.</p><p>Second &lt;b&gt;one&lt;/b&gt;,<br>its line.</p>"
                in html.get_content())

    async def test_the_next_deadline_says_what_is_due(
        self, build: Build, smtp_receiver: SmtpReceiver
    ) -> None:
        assert await deliver(build, mail(), smtp_for(smtp_receiver)) == "delivered"

        plain = smtp_receiver.messages[0].message.get_body(("plain",))
        assert plain is not None
        assert "Next deadline: status update due 2025-03-14 10:15 UTC" in plain.get_content()

    async def test_has_plain_text_and_html_parts(
        self, build: Build, smtp_receiver: SmtpReceiver
    ) -> None:
        assert await deliver(build, mail(), smtp_for(smtp_receiver)) == "delivered"

        [received] = smtp_receiver.messages
        message = received.message
        assert message.get_content_type() == "multipart/alternative"
        plain = message.get_body(("plain",))
        html = message.get_body(("html",))
        assert plain is not None
        assert html is not None
        assert "We are investigating a double charge." in plain.get_content()
        assert "<h2>[P1] Charged twice for the March invoice</h2>" in html.get_content()

    async def test_addresses_and_subject(
        self, build: Build, smtp_receiver: SmtpReceiver
    ) -> None:
        await deliver(build, mail(), smtp_for(smtp_receiver))

        [received] = smtp_receiver.messages
        assert received.rcpt_tos == ["ops@acme.example"]
        assert received.mail_from == "escalations@corp.example"
        assert received.message["To"] == "Finance on-call <ops@acme.example>"
        assert received.message["Subject"] == "[P1] Charged twice for the March invoice"

    async def test_message_id_is_derived_from_the_notification_id(
        self, build: Build, smtp_receiver: SmtpReceiver
    ) -> None:
        await deliver(build, mail("esc-01:notice:3:0"), smtp_for(smtp_receiver))

        received = smtp_receiver.messages[0].message["Message-ID"]
        assert received == message_id("esc-01:notice:3:0", SENDER)
        assert received.startswith("<esc-01.notice.3.0.")
        assert received.endswith("@corp.example>")

    async def test_messages_of_one_escalation_share_a_thread(
        self, build: Build, smtp_receiver: SmtpReceiver
    ) -> None:
        smtp = smtp_for(smtp_receiver)
        await deliver(build, mail("esc-01:notice:3:0"), smtp)
        await deliver(build, mail("esc-01:status_update:7:0"), smtp)

        first, second = (m.message for m in smtp_receiver.messages)
        assert first["Message-ID"] != second["Message-ID"]
        assert first["References"] == second["References"]


class TestMessageId:
    def test_is_the_same_on_every_attempt(self) -> None:
        assert message_id("esc-01:notice:3:0", SENDER) == message_id("esc-01:notice:3:0", SENDER)

    @pytest.mark.parametrize(("a", "b"), [("esc-1:a:1", "esc-1.a.1"), ("esc-1:a:1", "esc-1:a:2")])
    def test_differs_between_notifications(self, a: str, b: str) -> None:
        assert message_id(a, SENDER) != message_id(b, SENDER)


class TestDeliveryOnce:
    async def test_a_refusal_is_retried_with_the_same_message_id(
        self, build: Build, smtp_receiver: SmtpReceiver, sessions: sessionmaker[Session]
    ) -> None:
        smtp_receiver.refuse(times=1)
        payload = mail()
        smtp = smtp_for(smtp_receiver)

        with pytest.raises(ApplicationError) as raised:
            await deliver(build, payload, smtp)
        assert (raised.value.type, raised.value.non_retryable) == ("delivery_failed", False)
        assert stored(sessions, payload.notification.id).attempts == 1

        assert await deliver(build, payload, smtp) == "delivered"
        assert smtp_receiver.message_ids() == {message_id(payload.notification.id, SENDER): 1}

    async def test_an_accepted_message_is_not_sent_again(
        self, build: Build, smtp_receiver: SmtpReceiver
    ) -> None:
        payload = mail()
        smtp = smtp_for(smtp_receiver)
        await deliver(build, payload, smtp)

        assert await deliver(build, payload, smtp) == "already_delivered"
        assert len(smtp_receiver.messages) == 1

    async def test_without_an_smtp_host_the_channel_is_refused_for_good(
        self, build: Build
    ) -> None:
        with pytest.raises(ApplicationError) as raised:
            await deliver(build, mail(), SmtpConfig(host=None))

        assert raised.value.type == "channel_not_configured"
        assert raised.value.non_retryable


@dataclass(frozen=True)
class Tls:
    server: ssl.SSLContext
    client: ssl.SSLContext


@pytest.fixture(scope="module")
def tls() -> Tls:
    """A private CA: the server's certificate for 127.0.0.1, a client that trusts only it."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return Tls(server, client)


@pytest.fixture
def secure_smtp(tls: Tls) -> Iterator[SmtpReceiver]:
    with SmtpReceiver(tls_context=tls.server, require_starttls=True,
                      credentials=(LOGIN, PASSWORD)) as receiver:
        yield receiver


class TestStartTlsAndLogin:
    async def test_sends_over_starttls_after_logging_in(
        self, build: Build, secure_smtp: SmtpReceiver, tls: Tls
    ) -> None:
        smtp = smtp_for(secure_smtp, starttls=True, username=LOGIN,
                        password=SecretStr(PASSWORD), tls_context=tls.client)

        assert await deliver(build, mail(), smtp) == "delivered"

        [received] = secure_smtp.messages
        assert (received.tls, received.login) == (True, LOGIN)

    async def test_a_wrong_password_fails_without_showing_it(
        self, build: Build, secure_smtp: SmtpReceiver, tls: Tls, sessions: sessionmaker[Session]
    ) -> None:
        wrong = "not-the-pa55word"
        smtp = smtp_for(secure_smtp, starttls=True, username=LOGIN,
                        password=SecretStr(wrong), tls_context=tls.client)
        payload = mail()

        with pytest.raises(ApplicationError) as raised:
            await deliver(build, payload, smtp)

        assert not raised.value.non_retryable
        assert wrong not in raised.value.message
        assert wrong not in (stored(sessions, payload.notification.id).last_error or "")
        assert secure_smtp.messages == []

    async def test_the_server_refuses_mail_without_starttls(
        self, build: Build, secure_smtp: SmtpReceiver
    ) -> None:
        with pytest.raises(ApplicationError):
            await deliver(build, mail(), smtp_for(secure_smtp))

        assert secure_smtp.messages == []
