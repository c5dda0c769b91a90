"""The JSON endpoints: behind login like the pages, answer as their OpenAPI description says (schemathesis)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.web.conftest import Web, add_team, file_mails, three_citizens


@pytest.fixture
def signed_in(web: Web) -> Web:
    add_team(web.ctx)
    file_mails(web.ctx, *three_citizens())
    web.login("manager")
    return web


def test_the_api_lists_queues_tickets_and_the_dashboard(signed_in: Web) -> None:
    client = signed_in.client
    queues = client.get("/api/queues").json()
    assert {q["queue"]: q["waiting"] for q in queues}["kaarten-email"] == 1
    tickets = client.get("/api/tickets?status=any").json()["tickets"]
    assert len(tickets) == 3 and tickets[0]["reference"].startswith("GNT-")
    assert {"id", "queue", "intent", "status", "received_at", "contact_email", "assignee"} <= set(tickets[0])
    detail = client.get(f"/api/tickets/{tickets[0]['id']}").json()
    assert detail["messages"][0]["kind"] == "in"
    assert client.get("/api/dashboard").json()["total_waiting"] == 3
    assert client.get("/api/tickets/424242").status_code == 404
    assert client.get("/api/tickets?status=bogus").status_code == 422


def test_the_openapi_description_needs_a_login(web: Web) -> None:
    assert web.client.get("/api/openapi.json").status_code == 401
    assert web.client.get("/openapi.json").status_code in (303, 404)
    assert web.client.get("/docs").status_code in (303, 404)


def test_the_json_endpoints_hold_to_their_description(signed_in: Web) -> None:
    """Every JSON operation, fed generated parameters, answers without a server error and as described."""
    schema = schemathesis.openapi.from_dict(signed_in.client.get("/api/openapi.json").json())
    schema.app = signed_in.app
    cookie = "; ".join(f"{k}={v}" for k, v in signed_in.client.cookies.items())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {
        "/api/queues",
        "/api/tickets",
        "/api/tickets/{ticket_id}",
        "/api/dashboard",
    }
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def call(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers={"Cookie": cookie})

        call()
