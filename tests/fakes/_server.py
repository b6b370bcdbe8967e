"""The machinery the fake platform servers share: a threaded HTTP server, request log, fault switches.

A fake subclasses :class:`FakeServer` and implements :meth:`FakeServer.route`. Everything else is
here: start on an ephemeral port in a background thread (or as a standalone process through
:func:`main`), record every request, inject faults (the next N requests answer 429/500/401, are
slow, or carry partial errors), and a ``/_control/*`` JSON API so a test in another process can
seed data and read what was posted.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

Json = Any


@dataclass(frozen=True)
class Recorded:
    """One request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    body: str
    headers: dict[str, str]


@dataclass
class Reply:
    """What a route answers: status, JSON body (or raw text) and extra headers."""

    status: int = 200
    body: Json = None
    headers: dict[str, str] = field(default_factory=dict)
    text: str | None = None


@dataclass
class Fault:
    """An injected fault for the next ``count`` matching requests."""

    count: int
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: Json = None
    delay: float = 0.0
    path_prefix: str = ""
    partial: bool = False
    after: int = 0


class FakeServer:
    """Base class of the fakes; subclasses implement :meth:`route`, :meth:`seed` and :meth:`dump`."""

    def __init__(self, state_file: str | Path | None = None) -> None:
        self.lock = threading.RLock()
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.internal_errors: list[str] = []
        self.state_file = Path(state_file) if state_file else None
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- to implement ---------------------------------------------------------------------------
    def route(self, method: str, path: str, query: dict[str, str], body: str, headers: dict[str, str],
              partial: bool) -> Reply:
        """Answer one platform request (``partial`` asks for a 200 carrying partial errors)."""
        raise NotImplementedError

    def seed(self, payload: Json) -> Json:
        """Add data from a control request; return a summary (ids created)."""
        raise NotImplementedError

    def dump(self) -> Json:
        """All state as JSON (for ``--state`` files and ``GET /_control/state``)."""
        raise NotImplementedError

    def load(self, state: Json) -> None:
        """Restore state written by :meth:`dump`."""
        raise NotImplementedError

    def posted(self) -> list[Json]:
        """Everything created through the platform API, oldest first."""
        raise NotImplementedError

    def error_body(self, status: int) -> Json:
        """The platform's error body for an injected ``status``."""
        return {"error": status}

    # -- faults and records ---------------------------------------------------------------------
    def fail_next(self, count: int = 1, status: int = 500, *, headers: dict[str, str] | None = None,
                  body: Json = None, path_prefix: str = "", after: int = 0) -> None:
        """Answer ``count`` requests (only under ``path_prefix``, after letting ``after`` pass) with ``status``."""
        with self.lock:
            self.faults.append(Fault(count, status, headers or {}, body, 0.0, path_prefix, after=after))

    def slow_next(self, count: int = 1, delay: float = 1.0, path_prefix: str = "") -> None:
        """Delay the next ``count`` requests by ``delay`` seconds before answering normally."""
        with self.lock:
            self.faults.append(Fault(count, 0, {}, None, delay, path_prefix))

    def partial_next(self, count: int = 1, path_prefix: str = "") -> None:
        """Make the next ``count`` reads answer 200 with part of the data and an ``errors`` list."""
        with self.lock:
            self.faults.append(Fault(count, 0, {}, None, 0.0, path_prefix, partial=True))

    def calls(self, path_prefix: str = "", method: str | None = None) -> list[Recorded]:
        """Recorded platform requests (control requests excluded), optionally filtered."""
        with self.lock:
            return [r for r in self.requests
                    if r.path.startswith(path_prefix) and (method is None or r.method == method)]

    def reset_log(self) -> None:
        """Forget recorded requests (state is kept)."""
        with self.lock:
            self.requests.clear()

    def _take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.count > 0 and path.startswith(fault.path_prefix):
                    if fault.after > 0:
                        fault.after -= 1
                        return None
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def save(self) -> None:
        """Write state to the ``--state`` file, if any (atomically)."""
        if self.state_file is None:
            return
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.dump()))
        tmp.replace(self.state_file)

    # -- HTTP -----------------------------------------------------------------------------------
    def handle(self, method: str, target: str, body: str, headers: dict[str, str]) -> Reply:
        """Dispatch one HTTP request: control API, injected faults, then :meth:`route`."""
        parts = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if parts.path.startswith("/_control/"):
            return self._control(method, parts.path, body)
        with self.lock:
            self.requests.append(Recorded(method, parts.path, query, body, headers))
        fault = self._take_fault(parts.path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.status:
            return Reply(fault.status, fault.body if fault.body is not None else self.error_body(fault.status),
                         dict(fault.headers))
        with self.lock:
            try:
                reply = self.route(method, parts.path, query, body, headers, partial=bool(fault and fault.partial))
            except Exception as exc:  # a bug in the fake: answer 500 and keep it for the test to see
                self.internal_errors.append(f"{method} {target}: {exc!r}")
                return Reply(500, {"error": "fake server bug", "detail": repr(exc)})
            if method != "GET":
                self.save()
        return reply

    def _control(self, method: str, path: str, body: str) -> Reply:
        payload = json.loads(body) if body else {}
        with self.lock:
            if path == "/_control/seed" and method == "POST":
                result = self.seed(payload)
                self.save()
                return Reply(200, result)
            if path == "/_control/posted":
                return Reply(200, self.posted())
            if path == "/_control/requests":
                return Reply(200, [r.__dict__ for r in self.requests])
            if path == "/_control/state":
                return Reply(200, self.dump())
            if path == "/_control/fault" and method == "POST":
                kind = payload.pop("kind", "fail")
                {"fail": self.fail_next, "slow": self.slow_next, "partial": self.partial_next}[kind](**payload)
                return Reply(200, {"ok": True})
        return Reply(404, {"error": f"unknown control {method} {path}"})

    def start(self, port: int = 0) -> str:
        """Serve on 127.0.0.1 in a daemon thread; return the base URL."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = fake.handle(self.command, self.path, body, headers)
                data = (reply.text if reply.text is not None else json.dumps(reply.body)).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                if self.close_connection:  # the client asked to close: say so, as real servers do, so its pool
                    self.send_header("Connection", "close")  # never reuses a socket we are about to shut
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = do_PUT = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self.url

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` of the running server."""
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        errors = list(self.internal_errors)
        self.stop()
        assert not errors or kind is not None, f"the fake server itself failed: {errors}"

    def stop(self) -> None:
        """Shut the server down."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None


def main(factory: Callable[[str | None], FakeServer], argv: list[str] | None = None) -> None:
    """Run a fake as a standalone process: ``--port N`` (0 = any; the URL is printed) ``--state FILE``."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--state", default=None, help="JSON file: loaded at start, written after each change")
    args = parser.parse_args(argv)
    fake = factory(args.state)
    if args.state and Path(args.state).exists():
        fake.load(json.loads(Path(args.state).read_text()))
    print(fake.start(args.port), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()
