"""The production server of `sira serve`: gevent or eventlet WSGI with WebSockets.

Flask-SocketIO's `socketio.run` would do, but it cannot set TCP_NODELAY: gevent's pywsgi sends a
response's headers and body in two writes, and with Nagle's algorithm the body then waits for the
client's delayed ACK, about 40 ms on every keep-alive request (measured: benchmarks/README.md).
Nor does it bound how long a connection may idle or dawdle over its headers: without that, idle
or slow clients hold every file descriptor and nobody else gets in.
"""

from __future__ import annotations

import gc
import re
import resource
import socket
from typing import Any

from flask import Flask

from server.i18n import load_catalogs
from server.realtime import socketio

BACKLOG = 1024
# Raise the soft open-files limit towards the hard one, but no further than this.
MAX_OPEN_FILES = 1 << 20
# The limits of http.client, which gevent's own header parsing uses.
MAX_HEADER_LINE = 65536
MAX_HEADERS = 100
# RFC 9110's field name (a token) and a Content-Length of digits only.
FIELD_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
DIGITS = re.compile(r"[0-9]+")


def listener(host: str, port: int) -> socket.socket:
    """A listening socket whose accepted connections send small responses at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted sockets
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def raise_open_files_limit() -> int:
    """Every connection is a file descriptor: use all the hard limit allows. Returns the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = MAX_OPEN_FILES if hard == resource.RLIM_INFINITY else min(hard, MAX_OPEN_FILES)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        return wanted
    return soft


def settle_the_heap() -> None:
    """Leave what start-up built out of every later garbage collection.

    A full collection walks every object the collector tracks, with the event loop stopped:
    with the app's modules, templates and catalogs, about 90,000 objects and 60–80 ms, the
    longest stall every kiosk and board of the process saw (benchmarks/loop_stall.py). They
    live as long as the process, so frozen they are never walked again, and a full collection
    under load takes 7–13 ms."""
    gc.collect()
    gc.freeze()


def serve(app: Flask, host: str, port: int) -> None:
    """Serve until killed, in the async mode the app's Socket.IO server was set up with."""
    raise_open_files_limit()
    load_catalogs(app)
    settle_the_heap()
    mode = socketio.async_mode
    timeouts = {
        "header_s": float(app.config["SIRA_HEADER_TIMEOUT_S"]),
        "keepalive_s": float(app.config["SIRA_KEEPALIVE_TIMEOUT_S"]),
        "read_s": float(app.config["SIRA_READ_TIMEOUT_S"]),
    }
    if mode == "gevent":
        from gevent import pywsgi

        server = pywsgi.WSGIServer(
            listener(host, port), app, handler_class=timed_handler(**timeouts), log=None
        )
        server.serve_forever()
    elif mode == "eventlet":
        import eventlet.wsgi

        eventlet.wsgi.server(
            listener(host, port),
            app,
            log_output=False,
            keepalive=timeouts["keepalive_s"],
            socket_timeout=timeouts["read_s"],
        )
    else:
        socketio.run(app, host=host, port=port, log_output=False)


def timed_handler(header_s: float, keepalive_s: float, read_s: float) -> type:
    """gevent-websocket's handler with deadlines on the parts a client controls.

    - keep-alive: a connection waits at most `keepalive_s` for the first byte of a request;
    - headers: once it begins, the request line and headers must arrive within `header_s`
      (a slowloris client trickling header bytes is cut off);
    - reads: any single read (a request body, a WebSocket frame) waits at most `read_s`, longer
      than Engine.IO's ping interval, so a live WebSocket is never cut.
    """
    import gevent
    from geventwebsocket.handler import WebSocketHandler

    class TimedHandler(WebSocketHandler):
        idle: Any = None
        deadline: Any = None

        def handle(self) -> None:
            self.socket.settimeout(read_s)
            # One of each per connection, restarted for every request rather than made anew:
            # each new one is a timer set up on the event loop (3 % of it under load).
            self.idle = gevent.Timeout(keepalive_s, TimeoutError("idle connection"))
            self.deadline = gevent.Timeout(header_s, TimeoutError("headers too slow"))
            try:
                super().handle()
            finally:
                self.idle.close()
                self.deadline.close()

        def read_requestline(self) -> str:
            self.idle.start()
            try:
                if not self.rfile.peek(1):
                    return ""
            finally:
                self.idle.cancel()
            self.deadline.start()
            return super().read_requestline()

        def read_request(self, raw_requestline: str) -> Any:
            try:
                return super().read_request(raw_requestline)
            except TimeoutError as slow:
                raise ValueError(str(slow)) from None  # answered 400, and the connection closed
            finally:
                self.deadline.cancel()

        def handle_one_request(self) -> Any:
            try:
                return super().handle_one_request()
            finally:
                self.deadline.cancel()  # a request line refused before its headers were read

        def MessageClass(self, rfile: Any, *_: Any) -> Any:
            return read_headers(rfile)

        def log_request(self) -> None:
            """No access log (the server has `log=None`; a proxy in front keeps one).
            gevent-websocket would format a line for every request and drop it: 4 % of the
            process's time under load."""

    return TimedHandler


def read_headers(rfile: Any) -> Any:
    """A request's header block, as gevent's handler expects it, or with `status` saying why not.

    gevent reads headers with http.client, which hands the block to the email package's parser
    (25 µs for a kiosk's eight headers; 8 µs here). HTTP's grammar is smaller than e-mail's, and
    stricter here: a line folded onto the next, a name that is not a token (`Host : x`) or a
    Content-Length that is not a number are refused (400) rather than guessed at, so that a
    proxy in front and this server cannot read one request two ways."""
    from gevent.pywsgi import OldMessage

    headers = OldMessage()
    for _ in range(MAX_HEADERS + 1):
        line = rfile.readline(MAX_HEADER_LINE + 1)
        if len(line) > MAX_HEADER_LINE:
            headers.status = "Line too long"
            return headers
        if line in (b"\r\n", b"\n", b""):
            return headers
        name, colon, value = line.decode("iso-8859-1").partition(":")
        value = value.strip(" \t\r\n")
        if not colon or FIELD_NAME.fullmatch(name) is None:
            headers.status = "Invalid header line"
            return headers
        if name.lower() == "content-length" and (
            DIGITS.fullmatch(value) is None or headers.get(name, value) != value
        ):
            headers.status = "Invalid Content-Length"
            return headers
        headers.set_raw(name, value)
    headers.status = "Too many headers"
    return headers
