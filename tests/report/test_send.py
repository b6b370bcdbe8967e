"""The weekly email against a real SMTP server (aiosmtpd on 127.0.0.1): once, complete, retried, never twice."""

from __future__ import annotations

import email
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

from aiosmtpd.controller import Controller
from click.testing import CliRunner

from bot.cli import main
from bot.store import Store
from tests.report.conftest import WEEK, Recorder, free_port


def send(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), "report", "--send", *args])
    return result.exit_code, result.output


def parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    return msg


def test_the_email_arrives_once_with_both_parts_and_non_ascii_intact(
        project: Callable[..., Path], smtp_server: tuple[Recorder, int]) -> None:
    recorder, port = smtp_server
    config = project(port)
    code, output = send(config, "--week", WEEK)
    assert code == 0, output
    assert f"sent: {WEEK} Zoë Brand-Lead <lead@nimbus.example>" in output
    assert len(recorder.messages) == 1
    mail_from, rcpt, raw = recorder.messages[0]
    assert (mail_from, rcpt) == ("ronr@nimbus.example", ["lead@nimbus.example"])
    msg = parse(raw)
    assert msg["Subject"].startswith(f"Nimbus Høme Social ID, week {WEEK}: u/NimbusHome ")
    assert str(msg["To"]) == "Zoë Brand-Lead <lead@nimbus.example>"
    assert str(msg["From"]) == "Nimbus Høme RonR <ronr@nimbus.example>"
    assert msg["Message-ID"].startswith(f"<ronr-{WEEK}-") and msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in msg.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    plain, page = text.get_content(), html.get_content()
    for body in (plain, page):
        assert "Nimbus Høme" in body and "@nimbussupport" in body and "https://ronr.nimbus.example/dashboard" in body
    assert "Social ID" in plain and "Queue now:" in plain
    assert "<script" not in page.lower() and "<img" not in page.lower()

    code, output = send(config, "--week", WEEK)
    assert code == 0 and "already sent, not sent again" in output
    assert len(recorder.messages) == 1


def test_a_refusing_server_means_a_retry_on_the_next_run(
        project: Callable[..., Path], smtp_server: tuple[Recorder, int]) -> None:
    recorder, port = smtp_server
    recorder.refuse = True
    config = project(port)
    code, output = send(config, "--week", WEEK)
    assert code == 1 and "failed, will retry on the next run" in output and "451" in output
    store = Store(config.parent / "ronr.db")
    try:
        (row,) = store.reports.for_week(WEEK)
        assert (row.status, row.attempts) == ("failed", 1) and "Mailbox busy" in row.last_error
    finally:
        store.close()
    assert recorder.messages == []

    recorder.refuse = False
    code, output = send(config, "--week", WEEK)
    assert code == 0 and "sent:" in output
    assert len(recorder.messages) == 1
    code, output = send(config, "--week", WEEK)
    assert len(recorder.messages) == 1 and "already sent" in output


def test_a_week_that_failed_is_sent_by_the_next_weeks_run(
        project: Callable[..., Path], smtp_server: tuple[Recorder, int]) -> None:
    recorder, port = smtp_server
    down = project(free_port())  # nobody listening: connection refused
    code, output = send(down, "--week", "2026-W45")
    assert code == 1 and "cannot reach the SMTP server 127.0.0.1:" in output and "ConnectionRefusedError" in output
    config = project(port)
    code, output = send(config, "--week", WEEK)
    assert code == 0, output
    weeks = sorted(parse(raw)["Subject"].split("week ")[1][:8] for _, _, raw in recorder.messages)
    assert weeks == ["2026-W45", WEEK]


def test_one_email_per_recipient_covering_their_accounts(
        project: Callable[..., Path], smtp_server: tuple[Recorder, int]) -> None:
    recorder, port = smtp_server
    config = project(port, recipients='"*" = ["lead@nimbus.example"]\nnimbussupport = ["support@nimbus.example"]')
    code, output = send(config, "--week", WEEK)
    assert code == 0, output
    by_rcpt = {rcpt[0]: parse(raw) for _, rcpt, raw in recorder.messages}
    assert set(by_rcpt) == {"lead@nimbus.example", "support@nimbus.example"}
    support = by_rcpt["support@nimbus.example"].get_body(("plain",))
    assert support is not None
    assert "@nimbussupport" in support.get_content() and "@NimbusHome" not in support.get_content()


def test_no_recipients_is_a_configuration_error(project: Callable[..., Path]) -> None:
    code, output = send(project(25, recipients=""), "--week", WEEK)
    assert code == 2 and "report.recipients" in output and "Fix:" in output


def test_printing_and_writing_html_send_nothing(project: Callable[..., Path], tmp_path: Path) -> None:
    config = project(free_port())
    printed = CliRunner().invoke(main, ["--config", str(config), "report", "--week", WEEK])
    assert printed.exit_code == 0 and f"Social ID, week {WEEK}" in printed.output
    out = tmp_path / "out" / "week.html"
    written = CliRunner().invoke(main, ["--config", str(config), "report", "--week", WEEK, "--out", str(out)])
    assert written.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = CliRunner().invoke(main, ["--config", str(config), "report", "--week", "last week"])
    assert bad.exit_code == 2 and "not like 2026-W47" in bad.output


def test_a_non_ascii_address_goes_out_with_smtputf8(project: Callable[..., Path]) -> None:
    recorder, port = Recorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, enable_SMTPUTF8=True)
    controller.start()
    try:
        code, output = send(project(port, recipients='"*" = ["Zoë <zoë@nimbus.example>"]'), "--week", WEEK)
    finally:
        controller.stop()
    assert code == 0, output
    ((_, rcpt, raw),) = recorder.messages
    assert rcpt == ["zoë@nimbus.example"]
    assert "zoë@nimbus.example" in str(parse(raw)["To"])
