"""The queue engine: the service layer over storage. It owns transactions and knows nothing of
Flask, Socket.IO or printers; callers publish the changes it returns."""

from server.engine.clock import Clock, utc_now
from server.engine.queue import Change, QueueEngine
from server.engine.reads import QueueReads

__all__ = ["Change", "Clock", "QueueEngine", "QueueReads", "utc_now"]
