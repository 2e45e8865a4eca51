"""The production server of `sira serve`: gevent or eventlet WSGI with WebSockets.

Flask-SocketIO's `socketio.run` would do, but it cannot set TCP_NODELAY: gevent's pywsgi sends a
response's headers and body in two writes, and with Nagle's algorithm the body then waits for the
client's delayed ACK, about 40 ms on every keep-alive request (measured: benchmarks/README.md).
"""

from __future__ import annotations

import socket

from flask import Flask

from server.realtime import socketio

BACKLOG = 1024


def listener(host: str, port: int) -> socket.socket:
    """A listening socket whose accepted connections send small responses at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted sockets
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def serve(app: Flask, host: str, port: int) -> None:
    """Serve until killed, in the async mode the app's Socket.IO server was set up with."""
    mode = socketio.async_mode
    if mode == "gevent":
        from gevent import pywsgi
        from geventwebsocket.handler import WebSocketHandler

        server = pywsgi.WSGIServer(
            listener(host, port), app, handler_class=WebSocketHandler, log=None
        )
        server.serve_forever()
    elif mode == "eventlet":
        import eventlet.wsgi

        eventlet.wsgi.server(listener(host, port), app, log_output=False)
    else:
        socketio.run(app, host=host, port=port, log_output=False)
