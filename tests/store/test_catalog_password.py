"""A catalog URL's password is never shown in messages (the dashboard and CLI print them)."""

from __future__ import annotations

import pytest

from lunarops.errors import StoreError
from lunarops.store import Catalog


def test_an_unreachable_postgresql_catalog_hides_its_password() -> None:
    pytest.importorskip("psycopg", reason="the postgres extra (psycopg) is not installed")
    # port 1 on the loopback: nothing listens there, the connection is refused at once
    with pytest.raises(StoreError) as caught:
        Catalog("postgresql://planner:s3cret-pw@127.0.0.1:1/lunarops")
    message = str(caught.value)
    assert "s3cret-pw" not in message
    assert "postgresql://planner:***@127.0.0.1:1/lunarops" in message
