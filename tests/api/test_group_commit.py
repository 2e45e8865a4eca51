"""Through the API: kiosks issuing at once share commits, each ticket still numbered, sequenced
and answered on its own; a refused one fails alone."""

from __future__ import annotations

import threading

from server.db import get_writer
from tests.conftest import bearer

KIOSKS = 12


def test_tickets_issued_at_once_commit_in_groups_each_with_its_own_number_and_seq(app, store):
    answers: list = []
    start = threading.Barrier(KIOSKS)

    def kiosk(n: int) -> None:
        client = app.test_client()
        start.wait()
        for _ in range(5):
            service = store.payments if n % 3 else 999_999  # every third kiosk asks for nothing
            answers.append(
                client.post(
                    "/api/v1/tickets",
                    json={"service_id": service},
                    headers=bearer(store.kiosk_token),
                )
            )

    threads = [threading.Thread(target=kiosk, args=(n,)) for n in range(KIOSKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    issued = [a.json for a in answers if a.status_code == 201]
    refused = [a for a in answers if a.status_code != 201]
    assert len(issued) == 40 and len(refused) == 20
    assert {a.status_code for a in refused} == {422}
    assert {a.json["error"]["field"] for a in refused} == {"service_id"}
    assert sorted(t["number"] for t in issued) == list(range(1, 41))

    staff = app.test_client()
    state = staff.get(
        f"/api/v1/branches/{store.branch_id}/snapshot", headers=bearer(store.staff_token)
    )
    assert state.json["seq"] == 40, "one seq per ticket, none for the refusals"
    writer = get_writer(app)
    assert writer.units >= 60  # the issues, and the kiosk's last contact noted
    assert writer.groups < writer.units, "concurrent issues shared commits"
