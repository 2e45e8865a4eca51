"""Room names, in one place."""


def branch_room(branch_id: int) -> str:
    return f"branch:{branch_id}"


def counter_room(counter_id: int) -> str:
    return f"counter:{counter_id}"


def ticket_room(token: str) -> str:
    return f"ticket:{token}"
