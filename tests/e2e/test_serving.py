"""The production listener: connections it accepts must not hold small responses back (Nagle)."""

from __future__ import annotations

import socket

from server.serving import listener


def test_accepted_connections_send_without_delay():
    with listener("127.0.0.1", 0) as server, socket.create_connection(server.getsockname()):
        accepted, _ = server.accept()
        with accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
