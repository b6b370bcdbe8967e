"""The weekly email over STARTTLS (with login) and implicit TLS, against a real aiosmtpd server."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bot.config.settings import SmtpSettings
from bot.report.send import SmtpTransport
from tests.report.conftest import Recorder, free_port


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def _client_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))  # trusts our test certificate only


def _message() -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "ronr@nimbus.example", "lead@nimbus.example", "Social ID"
    msg.set_content("Week 47: 72")
    return msg


class Logins:
    """Accepts one user and records every attempt."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bool]] = []

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"ronr", b"s3cret")
        self.seen.append((mechanism, session.ssl is not None))
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[Recorder, Logins, int]]:
    recorder, logins, port = Recorder(), Logins(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, tls_context=_server_context(certificate),
                            require_starttls=True, authenticator=logins, auth_require_tls=True)
    controller.start()
    try:
        yield recorder, logins, port
    finally:
        controller.stop()


def test_starttls_with_login(starttls_server: tuple[Recorder, Logins, int], certificate: tuple[Path, Path],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    recorder, logins, port = starttls_server
    monkeypatch.setenv("RONR_SMTP_USERNAME", "ronr")
    monkeypatch.setenv("RONR_SMTP_PASSWORD", "s3cret")
    smtp = SmtpSettings(host="127.0.0.1", port=port, security="starttls", timeout_seconds=5)
    with SmtpTransport(smtp, _client_context(certificate)) as transport:
        transport.send(_message())
    assert len(recorder.messages) == 1 and b"Week 47: 72" in recorder.messages[0][2]
    assert logins.seen and all(over_tls for _, over_tls in logins.seen)


def test_an_untrusted_certificate_is_refused_and_nothing_is_sent(
        starttls_server: tuple[Recorder, Logins, int]) -> None:
    recorder, _, port = starttls_server
    smtp = SmtpSettings(host="127.0.0.1", port=port, security="starttls", timeout_seconds=5)
    with pytest.raises(ssl.SSLError), SmtpTransport(smtp) as transport:  # the system's CAs do not know it
        transport.send(_message())
    assert recorder.messages == []


def test_implicit_tls(certificate: tuple[Path, Path]) -> None:
    recorder, port = Recorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, ssl_context=_server_context(certificate))
    controller.start()
    try:
        smtp = SmtpSettings(host="127.0.0.1", port=port, security="tls", timeout_seconds=5)
        with SmtpTransport(smtp, _client_context(certificate)) as transport:
            transport.send(_message())
    finally:
        controller.stop()
    assert len(recorder.messages) == 1
