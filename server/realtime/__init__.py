"""Socket.IO: the extension, created here and bound in the app factory."""

from flask_socketio import SocketIO

socketio = SocketIO()
