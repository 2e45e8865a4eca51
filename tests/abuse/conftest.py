"""Fixtures of the abuse tests: real servers, real sockets, raw frames an attacker would send."""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator

import pytest
import websocket

from tests.e2e.conftest import (  # noqa: F401  (shared fixtures)
    ApiClient,
    closed_at_end,
    listen,
    message_queue,
    own_redis,
)


class RawSocketIO:
    """A bare Engine.IO WebSocket that can push many Socket.IO events in one write."""

    def __init__(self, url: str, auth: dict | None = None):
        address = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        self.ws = websocket.create_connection(address, timeout=10)
        self.sock = self.ws.sock  # kept: the client drops its reference when the server hangs up
        assert self.ws.recv().startswith("0")  # the Engine.IO open packet
        self.ws.send("40" + (json.dumps(auth) if auth else ""))
        answer = self.ws.recv()
        assert answer.startswith("40"), answer

    def flood(self, event: str, data: dict, count: int) -> None:
        """`count` events, framed by the client, sent with one sendall."""
        text = "42" + json.dumps([event, data])
        frame = websocket.ABNF.create_frame(text, websocket.ABNF.OPCODE_TEXT).format()
        with contextlib.suppress(OSError):  # the server may hang up before it is all sent
            self.sock.sendall(frame * count)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


@pytest.fixture
def raw_socket() -> Iterator:
    yield from closed_at_end(RawSocketIO)


@pytest.fixture
def staff(live_server, store) -> ApiClient:
    return ApiClient(live_server.url, store.staff_token)
