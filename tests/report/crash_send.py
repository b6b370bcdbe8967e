"""Run by tests/report/test_crash.py as a subprocess: send a week's emails, SIGKILL ourselves at one SMTP step.

Usage: python -m tests.report.crash_send CONFIG WEEK STEP OCCURRENCE — the process kills itself (signal 9,
no clean-up, no finally blocks) the OCCURRENCE-th time the transport reports STEP.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from bot.config import load_settings
from bot.report.figures import week_figures
from bot.report.send import SmtpTransport, send_reports
from bot.runtime import build_runtime
from tests.conftest import NOW


def main(config: str, week: str, step: str, occurrence: int) -> None:
    """Send like `ronr report --send` does, dying at the chosen step."""
    settings = load_settings(Path(config))
    rt = build_runtime(settings)
    seen = 0

    def trace(name: str) -> None:
        nonlocal seen
        seen += name == step
        if name == step and seen == occurrence:
            os.kill(os.getpid(), signal.SIGKILL)

    with SmtpTransport(settings.report.smtp, trace=trace) as transport:
        send_reports(rt.store, settings, week, lambda w, accs: week_figures(rt.store, settings, rt.rules, w, NOW, accs),
                     transport, NOW)
    sys.exit(3)  # the step never came: the test's list of steps is wrong


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
