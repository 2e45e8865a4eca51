from tests.kiosk.fixtures import emulator, kiosk_on_emulator, printing_server  # noqa: F401
