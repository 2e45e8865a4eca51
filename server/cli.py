"""The `sira` command's entry point.

`sira serve` and `sira demo` run on gevent, whose monkey-patching must happen before anything
imports socket, ssl or threading; so this module imports nothing of Sıra until it has decided.
"""

from __future__ import annotations

import os
import sys

SERVING_COMMANDS = {"serve", "demo"}


def main() -> None:
    arguments = sys.argv[1:]
    mode = os.environ.get("SIRA_ASYNC_MODE") or "gevent"
    if arguments[:1] and arguments[0] in SERVING_COMMANDS and mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    elif arguments[:1] and arguments[0] in SERVING_COMMANDS and mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    from server import logs

    # Timestamped lines on standard error (journald or a log file keeps them), access log included.
    logs.configure(os.environ.get("SIRA_LOG_LEVEL", "INFO"), os.environ.get("SIRA_LOG_FORMAT", ""))
    from server.commands import cli

    cli()
