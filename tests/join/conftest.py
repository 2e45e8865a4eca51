from tests.admin.conftest import admin_client, app  # noqa: F401  (signed-in admin fixtures)
