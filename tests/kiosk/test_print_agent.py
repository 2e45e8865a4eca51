"""The kiosk print agent against a real server: jobs missed while away are picked up after a
reconnect, none is lost, none is printed twice."""

import time

import pytest

from kiosk.agent import Journal, PrintAgent
from tests.kiosk.fixtures import set_kiosk_printer
from tests.kiosk.test_printing_live import issue, job_until

pytestmark = pytest.mark.slow


@pytest.fixture
def agent_kiosk(db_path, store):
    return set_kiosk_printer(db_path, "agent")


@pytest.fixture
def start_agent(printing_server, store, emulator, tmp_path):
    agents = []

    def start() -> PrintAgent:
        agent = PrintAgent(
            printing_server.url,
            store.kiosk_token,
            f"tcp://127.0.0.1:{emulator.port}",
            journal=tmp_path / "journal.txt",
            retry_s=0.2,
        ).start()
        agents.append(agent)
        return agent

    yield start
    for agent in agents:
        agent.stop()


def printed_codes(emulator) -> list[str]:
    return [received.ticket.code for received in emulator.tickets]


def test_agent_reconnects_without_losing_or_doubling_a_job(
    printing_server, store, agent_kiosk, emulator, start_agent, tmp_path
):
    # Two customers while the kiosk PC is still booting: their jobs wait on the server.
    first = issue(printing_server, store, "a1")
    second = issue(printing_server, store, "a2")
    assert first["print_job"]["status"] == second["print_job"]["status"] == "queued"
    agent = start_agent()
    emulator.wait_for(2)
    for ticket in (first, second):
        job_until(
            printing_server, store, ticket["print_job"]["id"], lambda j: j["status"] == "printed"
        )
    # Connected: a new job is pushed at once.
    third = issue(printing_server, store, "a3")
    emulator.wait_for(3)
    job_until(printing_server, store, third["print_job"]["id"], lambda j: j["status"] == "printed")
    # The server restarts; the agent reconnects by itself and takes the next job.
    printing_server.kill()
    printing_server.start()
    fourth = issue(printing_server, store, "a4")
    emulator.wait_for(4, timeout=20)
    job_until(printing_server, store, fourth["print_job"]["id"], lambda j: j["status"] == "printed")
    agent.stop()
    # A job printed just before the agent died, its acknowledgement lost: it is in the journal
    # but the server still has it queued. The next agent acknowledges it without printing.
    fifth = issue(printing_server, store, "a5")
    Journal(tmp_path / "journal.txt").add(fifth["print_job"]["id"])
    start_agent()
    job_until(printing_server, store, fifth["print_job"]["id"], lambda j: j["status"] == "printed")
    time.sleep(0.5)
    assert printed_codes(emulator) == ["A001", "A002", "A003", "A004"]


def test_agent_retries_while_its_printer_is_off(
    printing_server, store, agent_kiosk, emulator, start_agent
):
    emulator.state.paper = "out"
    start_agent()
    ticket = issue(printing_server, store, "b1")
    job = job_until(printing_server, store, ticket["print_job"]["id"], lambda j: j["attempts"] >= 2)
    assert job["status"] == "queued" and "paper out" in job["last_error"]
    emulator.state.paper = "ok"
    job_until(printing_server, store, ticket["print_job"]["id"], lambda j: j["status"] == "printed")
    emulator.wait_for(1)
    time.sleep(0.5)
    assert printed_codes(emulator) == ["A001"]


def test_agent_never_prints_a_job_the_kiosk_called_not_printed(
    printing_server, store, agent_kiosk, emulator, start_agent
):
    """Issue 14 point 6 for agent printers: even when the agent cannot hear that the job was
    given up (the server is gone), it does not start it after the job's give-up time."""
    emulator.state.paper = "out"
    start_agent()
    ticket = issue(printing_server, store, "c1")
    job_until(printing_server, store, ticket["print_job"]["id"], lambda j: j["attempts"] >= 1)
    printing_server.stop()
    time.sleep(5.0)  # past the job's last start: give-up 6 s minus the 2 s attempt time
    emulator.state.paper = "ok"
    time.sleep(8.0)  # the agent's next retries (backoff from 0.2 s, doubling) fall in here
    assert emulator.tickets == []


def test_only_a_kiosk_set_to_agent_may_run_one(
    printing_server, store, emulator, tmp_path, kiosk_on_emulator
):
    agent = PrintAgent(
        printing_server.url,
        store.kiosk_token,
        f"tcp://127.0.0.1:{emulator.port}",
        journal=tmp_path / "j.txt",
    )
    agent.connect()
    try:
        answer = agent.client.call("print_agent", {}, timeout=5)
        assert answer["ok"] is False and answer["error"]["field"] == "printer_uri"
    finally:
        agent.client.disconnect()
    with pytest.raises(ValueError):
        PrintAgent(printing_server.url, store.kiosk_token, "agent", journal=tmp_path / "k.txt")
