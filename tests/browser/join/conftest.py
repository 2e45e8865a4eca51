from tests.browser.workstation.conftest import open_staff  # noqa: F401  (signed-in workstation)
