"""Request headers the server reads one way only: anything a proxy in front might read another
way is refused with a 400 and changes nothing. Sent byte for byte over a socket to a real
`sira serve`."""

from __future__ import annotations

import json
import socket

import pytest
import requests

from tests.conftest import bearer


def exchange(live_server, head: bytes, body: bytes = b"") -> tuple[int, bytes]:
    """Send a request exactly as given; the status and body of the answer."""
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as sock:
        sock.sendall(head + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
            status_line, _, rest = answer.partition(b"\r\n")
            headers, blank, payload = rest.partition(b"\r\n\r\n")
            length = [
                int(line.split(b":")[1])
                for line in headers.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ]
            if blank and length and len(payload) >= length[0]:
                break
    return int(status_line.split()[1]), payload


def issue_request(store, *extra: bytes, length: bytes | None = None) -> tuple[bytes, bytes]:
    body = json.dumps({"service_id": store.payments}).encode()
    lines = [
        b"POST /api/v1/tickets HTTP/1.1",
        b"Host: localhost",
        b"Content-Type: application/json",
        b"Authorization: " + bearer(store.kiosk_token)["Authorization"].encode(),
        b"Content-Length: " + (length or str(len(body)).encode()),
        b"Connection: close",
        *extra,
    ]
    return b"\r\n".join(lines) + b"\r\n\r\n", body


def waiting(live_server, store) -> int:
    services = requests.get(f"{live_server.url}/api/v1/services", timeout=10).json()
    return sum(service["waiting"] for service in services)


def test_a_well_formed_request_is_served(live_server, store):
    status, payload = exchange(live_server, *issue_request(store, b"X-Trailing-Space: yes   "))
    assert status == 201, payload
    assert waiting(live_server, store) == 1


@pytest.mark.parametrize(
    "extra, length",
    [
        ((b"X-Folded: one", b" two"), None),  # a header folded onto the next line
        ((b"Host : elsewhere",), None),  # a space before the colon
        ((b"No colon here",), None),
        ((b"X-Long: " + b"a" * 70_000,), None),
        (tuple(b"X-Many-%d: y" % n for n in range(101)), None),
        ((), b"2_5"),  # int() would read 25
        ((), b"+25"),
        ((b"Content-Length: 99",), None),  # two lengths that disagree
    ],
    ids=[
        "folded",
        "space-before-colon",
        "no-colon",
        "long-line",
        "101-headers",
        "underscore-length",
        "signed-length",
        "two-lengths",
    ],
)
def test_an_ambiguous_header_block_is_refused_and_changes_nothing(
    live_server, store, extra, length
):
    status, _ = exchange(live_server, *issue_request(store, *extra, length=length))
    assert status == 400
    assert waiting(live_server, store) == 0
