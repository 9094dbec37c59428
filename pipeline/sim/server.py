"""SimServer: the HTTP front (auth, knobs, faults, control routes) around the simulated GitLab."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pipeline.sim.api import Api
from pipeline.sim.knobs import Faults, Gate, RateLimiter, Stats, UsersGetById, past_max_offset
from pipeline.sim.mutate import Mutations
from pipeline.sim.org.config import SimConfig
from pipeline.sim.org.generate import build_dataset
from pipeline.sim.paging import PageRequest, Response, error
from pipeline.sim.render import Renderer, dumps

HTML = "text/html; charset=utf-8"
HTML_ERROR = b"<!DOCTYPE html><html><body><h1>Something went wrong</h1></body></html>"
STATUS_FAULTS = {
    "405": "405 Method Not Allowed",
    "408": "408 Request timed out",
    "500": "500 Internal Server Error",
}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    sim: SimServer


class SimServer(Mutations):
    """A GitLab simulator on 127.0.0.1 in a background thread; use as a context manager."""

    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        self.config.apply({})
        self._httpd = _HTTPServer((self.config.host, self.config.port), _Handler)
        self._httpd.sim = self
        self.url = f"http://{self.config.host}:{self._httpd.server_address[1]}"
        self.token = self.config.token
        self.dataset = build_dataset(self.config, self.url)
        self.renderer = Renderer(self.dataset)
        self.api = Api(self.dataset, self.renderer, self.config)
        self.counters = Stats()
        self.gate = Gate()
        self.limiter = RateLimiter()
        self.users_limit = UsersGetById()
        self.faults = Faults(self.config)
        self._thread: threading.Thread | None = None
        Mutations.__init__(self)

    def start(self) -> SimServer:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (the CLI)."""
        self._httpd.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def stats(self) -> dict[str, Any]:
        """Requests per route and status, peak in-flight, items served, faults fired."""
        out = self.counters.snapshot()
        out["pending_scripted_faults"] = self.faults.pending()
        out["mutations"] = self.mutation_count
        out["pending_hooks"] = self.pending_hooks()
        return out

    def warm(self) -> int:
        """Pre-render every listed item (so a benchmark never times first renders)."""
        return self.renderer.warm()

    def reset_stats(self) -> None:
        """Zero the counters, refill the rate-limit buckets and the users_get_by_id windows."""
        self.counters.reset()
        self.limiter.reset()
        self.users_limit.reset()

    def configure(self, **knobs: Any) -> None:
        """Change knobs at runtime (names as in SimConfig); re-arms scripted and random faults."""
        self.config.apply(knobs)
        if {"scripted_faults", "fault_seed", "fault_rate", "fault_kinds"} & knobs.keys():
            self.faults.load(self.config)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    _headers_buffer: list[bytes]

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging."""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _token(self) -> str | None:
        token = self.headers.get("PRIVATE-TOKEN")
        auth = self.headers.get("Authorization", "")
        if token is None and auth.startswith("Bearer "):
            token = auth[len("Bearer ") :]
        return token

    def _serve(self, method: str) -> None:
        sim = self.server.sim
        parts = urlsplit(self.path)
        multi = parse_qs(parts.query, keep_blank_values=True)
        req = PageRequest(sim.url, parts.path, {k: v[-1] for k, v in multi.items()}, multi)
        token = self._token()
        if token != sim.token:
            sim.counters.record("unauthorized", 401, 0, None)
            self._send(error(401, "401 Unauthorized"), {})
            return
        if parts.path.startswith("/_sim/"):
            self._control(method, parts.path, req)
            return
        sim.counters.enter()
        try:
            self._gated(method, req, token)
        finally:
            sim.counters.leave()

    def _gated(self, method: str, req: PageRequest, token: str) -> None:
        sim = self.server.sim
        cfg = sim.config
        if not sim.gate.enter(cfg):
            code = int(cfg.concurrency_mode)
            sim.counters.record("busy", code, 0, None)
            self._send(Response(code, HTML_ERROR, content_type=HTML), {})
            return
        try:
            self._answer(method, req, token)
        finally:
            sim.gate.leave()

    def _answer(self, method: str, req: PageRequest, token: str) -> None:
        sim = self.server.sim
        cfg = sim.config
        extra: dict[str, str] = {}
        if cfg.rate_limit_rpm > 0:
            ok, extra = sim.limiter.check(cfg, token)
            if not ok:
                sim.counters.record("rate_limited", 429, 0, None)
                self._send(Response(429, b"Retry later", content_type="text/plain"), extra)
                return
            extra = {
                k: v for k, v in extra.items() if not k.startswith(("Retry", "RateLimit-ResetT"))
            }
        segments = req.path.split("/")
        if method != "GET" or segments[:3] != ["", "api", "v4"]:
            resp = error(404, "404 Not Found")
        else:
            resp = sim.api.handle(segments[3:], req)
            if resp.route == "user":
                resp = sim.users_limit.check(cfg, token) or resp
            resp = past_max_offset(cfg, req, resp) or resp
        fault = sim.faults.pick(cfg, resp)
        items = len(resp.items or [])
        delay = cfg.latency_ms + cfg.latency_per_item_ms * items
        if delay > 0:
            time.sleep(delay / 1000.0)
        sim.counters.record(resp.route, _fault_status(fault, resp), 0 if fault else items, fault)
        if fault is None:
            # the page is built: a hook's change lands between it and the next request, which
            # the client may send the moment it has this one (so never after sending)
            sim.after_page(resp)
            self._send(resp, extra)
        else:
            self._fault(fault, resp, req, extra)

    def _fault(self, kind: str, resp: Response, req: PageRequest, extra: dict[str, str]) -> None:
        sim = self.server.sim
        if kind == "reset":
            # SO_LINGER 0 makes close() send RST: the client sees "connection reset by peer".
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif kind == "timeout":
            time.sleep(sim.config.hang_seconds)
            self._send(resp, extra)
        elif kind == "truncated":
            self._send(resp, extra, declared=len(resp.body) * 2 + 64)
            self.close_connection = True
        elif kind == "not_json":
            self._send(Response(200, HTML_ERROR, content_type=HTML), extra)
        elif kind == "repeat_page":
            if resp.items is not None and (resp.page or 1) > 1:
                prev = PageRequest(req.base_url, req.path, dict(req.params), dict(req.multi))
                prev.params["page"] = prev.multi["page"][-1] = str(resp.page - 1)  # type: ignore[operator]
                resp.body = sim.api.handle(req.path.split("/")[3:], prev).body
            self._send(resp, extra)
        elif kind == "strip_link":
            resp.headers.pop("Link", None)
            self._send(resp, extra)
        elif kind == "429":
            when = formatdate(time.time() + 1, usegmt=True)
            retry = when if sim.config.rate_limit_http_date else "1"
            extra = dict(extra, **{"Retry-After": retry, "RateLimit-ResetTime": when})
            self._send(Response(429, b"Retry later", content_type="text/plain"), extra)
        elif kind in STATUS_FAULTS:
            self._send(error(int(kind), STATUS_FAULTS[kind]), extra)
        else:
            self._send(Response(int(kind), HTML_ERROR, content_type=HTML), extra)

    def _control(self, method: str, path: str, req: PageRequest) -> None:
        sim = self.server.sim
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
            if path == "/_sim/stats":
                result: Any = sim.stats()
            elif path == "/_sim/reset" and method == "POST":
                sim.reset_stats()
                result = {"ok": True}
            elif path == "/_sim/config" and method == "POST":
                sim.configure(**body)
                result = {"ok": True}
            elif path == "/_sim/mutate" and method == "POST":
                result = sim.mutate(body.pop("op"), **body)
            else:
                self._send(error(404, "404 Not Found"), {})
                return
        except (ValueError, KeyError, TypeError) as exc:
            self._send(error(400, f"{type(exc).__name__}: {exc}"), {})
            return
        self._send(Response(200, dumps(result)), {})

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in one write, and without Nagle: otherwise each small
        # response waits for a delayed ACK (~40 ms on loopback).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, resp: Response, extra: dict[str, str], declared: int | None = None) -> None:
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(declared if declared else len(resp.body)))
        for key, value in (resp.headers | extra).items():
            self.send_header(key, value)
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(resp.body[: len(resp.body) // 2] if declared else resp.body)
        try:
            self.flush_headers()
        except OSError:
            self.close_connection = True


def _fault_status(fault: str | None, resp: Response) -> int:
    """The status a fault answers with (0 for a dropped connection)."""
    if fault is None or fault in ("timeout", "repeat_page", "strip_link", "not_json"):
        return resp.status if fault != "not_json" else 200
    if fault in ("reset", "truncated"):
        return 0 if fault == "reset" else resp.status
    return int(fault)
