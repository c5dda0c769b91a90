from tests.replies.helpers import mailroom, make_mailroom, sqlite_mailroom  # noqa: F401 - fixtures
