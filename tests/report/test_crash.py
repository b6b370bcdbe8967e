"""A week is never sent twice, across SIGKILLs at every SMTP step (a real aiosmtpd server on 127.0.0.1).

Before the end-of-data mark nothing is at the server, so the next run sends; after it the email is
"uncertain": never resent by itself, reported by `ronr report` and `ronr status` with the command to
settle it. Each recipient ends with the week at most once, and has it or is reported.
"""

from __future__ import annotations

import asyncio
import email
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from bot.cli import main
from bot.daemon.lock import InstanceLock
from bot.report.weekly import sender_lock
from bot.store import Store
from tests.conftest import REPO
from tests.report.conftest import WEEK, Recorder, free_port

TWO = '"*" = ["Zoë Brand-Lead <lead@nimbus.example>"]\nnimbussupport = ["support@nimbus.example"]'
LEAD, SUPPORT = "lead@nimbus.example", "support@nimbus.example"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def ronr(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args])
    return result.exit_code, result.output


def received(recorder: Recorder) -> Counter[str]:
    """How many emails each address got (the week is in the subject, checked once per message)."""
    found: Counter[str] = Counter()
    for _, rcpts, raw in recorder.messages:
        assert f"week {WEEK}" in str(email.message_from_bytes(raw)["Subject"])
        found.update(rcpts)
    return found


def statuses(config: Path) -> dict[str, str]:
    store = Store(config.parent / "ronr.db")
    try:
        return {r.recipient.split("<")[-1].rstrip(">"): r.status for r in store.reports.for_week(WEEK)}
    finally:
        store.close()


def crash(config: Path, step: str, occurrence: int) -> None:
    done = subprocess.run([sys.executable, "-m", "tests.report.crash_send", str(config), WEEK, step, str(occurrence)],
                          cwd=REPO, env=ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == -9, done.stderr  # killed at the step, not finished or failed


# (step, occurrence, what the killed run leaves for the first recipient (lead) and the second (support))
CASES = [
    ("connected", 1, "sending", "owed?"), ("mail", 1, "sending", "owed?"), ("rcpt", 1, "sending", "owed?"),
    ("data", 1, "sending", "owed?"), ("body", 1, "sending", "owed?"), ("committing", 1, "uncertain", "owed?"),
    ("accepted", 1, "uncertain", "owed?"), ("mail", 2, "sent", "sending"), ("body", 2, "sent", "sending"),
    ("committing", 2, "sent", "uncertain"), ("accepted", 2, "sent", "uncertain"),
]


@pytest.mark.parametrize(("step", "occurrence", "lead", "support"), CASES)
def test_killed_at_any_step_then_rerun_sends_each_at_most_once_and_reports_the_rest(
        project: Callable[..., Path], smtp_server: tuple[Recorder, int], step: str, occurrence: int, lead: str,
        support: str) -> None:
    recorder, port = smtp_server
    config = project(port, recipients=TWO)
    crash(config, step, occurrence)
    left = statuses(config)
    assert left.get(LEAD) == lead and left.get(SUPPORT, "owed?") == support, left
    at_server = received(recorder)
    # the server holds a message exactly when the kill came after the end-of-data mark
    assert at_server[LEAD] == (step == "accepted" or occurrence == 2)
    assert at_server[SUPPORT] == (step == "accepted" and occurrence == 2)

    code, output = ronr(config, "report", "--send", "--week", WEEK)
    got = received(recorder)
    assert max(got.values()) == 1, got  # nobody got the week twice
    doubtful = {a for a, s in statuses(config).items() if s == "uncertain"}
    assert doubtful == {a for a, s in left.items() if s == "uncertain"}  # uncertain stays uncertain
    for address in (LEAD, SUPPORT):
        assert got[address] == 1 or address in doubtful
        assert (f"--resend {address}" in output) == (address in doubtful)
    assert code == (1 if doubtful else 0), output

    code, output = ronr(config, "report", "--send", "--week", WEEK)  # and the next run changes nothing
    assert received(recorder) == got and ("is uncertain" in output) == bool(doubtful)


def test_settling_an_uncertain_email_by_resend_or_delivered(
        project: Callable[..., Path], smtp_server: tuple[Recorder, int]) -> None:
    recorder, port = smtp_server
    config = project(port, recipients=TWO)
    crash(config, "committing", 1)  # lead: cut just before the end-of-data mark, so it never arrived
    code, output = ronr(config, "report", "--send", "--week", WEEK)  # support gets it; lead is reported
    assert code == 1 and received(recorder) == Counter({SUPPORT: 1})
    code, output = ronr(config, "status")
    assert f"weekly email {WEEK} to Zoë Brand-Lead <{LEAD}> is uncertain" in output
    assert f"ronr report --week {WEEK} --send --resend {LEAD}" in output

    code, output = ronr(config, "report", "--week", WEEK, "--resend", LEAD)
    assert code == 2 and "--resend ADDRESS goes with --send" in output
    code, output = ronr(config, "report", "--week", WEEK, "--send", "--resend", "nobody@nimbus.example")
    assert code == 2 and f"no uncertain weekly email for {WEEK} to nobody@nimbus.example" in output
    assert f"{WEEK} {LEAD}" in output and received(recorder) == Counter({SUPPORT: 1})

    code, output = ronr(config, "report", "--week", WEEK, "--send", "--resend", LEAD.upper())
    assert code == 0 and f"sent: {WEEK} Zoë Brand-Lead <{LEAD}>" in output and "uncertain" not in output
    assert received(recorder) == Counter({SUPPORT: 1, LEAD: 1})
    assert statuses(config) == {LEAD: "sent", SUPPORT: "sent"}
    assert "uncertain" not in ronr(config, "status")[1]
    store = Store(config.parent / "ronr.db")
    try:
        (entry,) = [e for e in store.audit.recent(20) if e["action"] == "report_resend"]
    finally:
        store.close()
    assert entry["detail"] == {"week": WEEK, "recipient": f"Zoë Brand-Lead <{LEAD}>"}


def test_an_email_found_in_the_inbox_is_recorded_as_delivered(
        project: Callable[..., Path], smtp_server: tuple[Recorder, int]) -> None:
    recorder, port = smtp_server
    config = project(port)
    crash(config, "accepted", 1)  # the server took it; the process died before recording that
    code, output = ronr(config, "report", "--week", WEEK)  # printing the report warns too
    assert code == 0 and f"--delivered {LEAD}" in output
    code, output = ronr(config, "report", "--week", WEEK, "--delivered", LEAD)
    assert code == 0 and "recorded as delivered, not sent again" in output
    code, output = ronr(config, "report", "--send", "--week", WEEK)
    assert code == 0 and "already sent, not sent again" in output and "uncertain" not in output
    assert received(recorder) == Counter({LEAD: 1}) and statuses(config) == {LEAD: "sent"}


class Holding(Recorder):
    """A server that takes the message (or the recipient) and then holds its reply until released."""

    def __init__(self, at: str) -> None:
        super().__init__()
        self.at, self.reached, self.release = at, threading.Event(), threading.Event()

    async def _hold(self) -> None:
        self.reached.set()
        while not self.release.is_set():
            await asyncio.sleep(0.01)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        envelope.rcpt_tos.append(address)
        if self.at == "rcpt":
            await self._hold()
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        if self.at == "data":
            await self._hold()
        return reply


@pytest.mark.parametrize("at", ["rcpt", "data"])
def test_ronr_report_killed_from_outside_while_the_server_holds_its_reply(
        project: Callable[..., Path], at: str) -> None:
    recorder, port = Holding(at), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = project(port)
        ronr_bin = Path(sys.executable).with_name("ronr")
        proc = subprocess.Popen([str(ronr_bin), "--config", str(config), "report", "--send", "--week", WEEK],
                                cwd=REPO, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert recorder.reached.wait(60), "the send never reached the server"
            code, output = ronr(config, "report", "--send", "--week", WEEK)  # a second sender meanwhile
            assert code == 1 and f"another process (pid {proc.pid}) is sending the weekly email" in output
            proc.kill()  # SIGKILL while the server has not answered yet
            proc.wait(10)
        finally:
            recorder.release.set()
        time.sleep(0.05)  # let the server notice the closed connection
        code, output = ronr(config, "report", "--send", "--week", WEEK)
    finally:
        controller.stop()
    if at == "rcpt":  # nothing had reached the server: the rerun sends it, once
        assert code == 0 and f"sent: {WEEK}" in output and received(recorder) == Counter({LEAD: 1})
    else:  # the server has it and we never heard: reported, not sent again
        assert code == 1 and f"--resend {LEAD}" in output and received(recorder) == Counter({LEAD: 1})


def test_a_second_sender_sends_nothing_while_the_first_holds_the_lock(
        project: Callable[..., Path], smtp_server: tuple[Recorder, int]) -> None:
    recorder, port = smtp_server
    config = project(port)
    lock = InstanceLock(sender_lock(config.parent / "ronr.db"))
    lock.acquire()
    try:
        code, output = ronr(config, "report", "--send", "--week", WEEK)
    finally:
        lock.release()
    assert code == 1 and "nothing was sent" in output
    assert recorder.messages == [] and statuses(config) == {}
    code, output = ronr(config, "report", "--send", "--week", WEEK)
    assert code == 0 and received(recorder) == Counter({LEAD: 1})


def test_no_answer_to_the_end_of_data_mark_within_the_timeout_is_uncertain_in_the_same_run(
        project: Callable[..., Path]) -> None:
    recorder, port = Holding("data"), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = project(port)
        config.write_text(config.read_text(encoding="utf-8").replace("timeout_seconds = 5", "timeout_seconds = 0.5"),
                          encoding="utf-8")
        code, output = ronr(config, "report", "--send", "--week", WEEK)
    finally:
        recorder.release.set()
        controller.stop()
    assert code == 1 and received(recorder) == Counter({LEAD: 1})  # the server did take it
    assert "is uncertain: the process or connection stopped" in output and "timed out" in output
    assert f"--resend {LEAD}" in output and statuses(config) == {LEAD: "uncertain"}
