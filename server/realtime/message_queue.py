"""The Redis message queue between server processes, with a listener that comes back promptly.

python-socketio's RedisManager doubles its wait after each failed reconnect (1, 2, 4, 8, 16 s…):
after a 20 s Redis outage, events between processes stayed lost for up to 16 s more. Here the
listener retries every SIRA_MQ_RETRY_S (1 s), so events resume about a second after Redis does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import socketio


class PromptRedisManager(socketio.RedisManager):
    """A RedisManager whose listener reconnects at a steady, short interval."""

    def __init__(self, url: str, channel: str, retry_s: float):
        super().__init__(url, channel=channel)
        self.retry_s = retry_s

    def _redis_listen_with_retries(self) -> Iterator[Any]:
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self.pubsub.subscribe(self.channel)
                yield from self.pubsub.listen()
            except Exception as error:
                self._get_logger().error(
                    "Cannot receive from Redis (%s): retrying in %s s", error, self.retry_s
                )
                subscribed = False
                time.sleep(self.retry_s)


def client_manager_options(url: str | None, channel: str, retry_s: float) -> dict[str, Any]:
    """Keyword arguments for SocketIO.init_app: Redis gets the prompt manager."""
    if url and url.startswith(("redis://", "rediss://")):
        return {"client_manager": PromptRedisManager(url, channel, retry_s)}
    if url:
        return {"message_queue": url, "channel": channel}
    return {"client_manager": None, "message_queue": None}
