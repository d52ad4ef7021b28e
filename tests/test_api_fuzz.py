"""Bad input is a 4xx with a reason, never a 5xx: schemathesis generates requests from the app's own
OpenAPI document (bounded examples per operation) and sends them as an operator and as an
enterprise admin."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from factories import login, make_enterprise, make_member, make_user
from yikatong.core.actor import Role

EXAMPLES_PER_OPERATION = 10


def test_no_5xx_from_generated_requests(app, client, database):
    make_user(database, role=Role.operator, username="fuzz_op")
    eid, admin = make_enterprise(database)
    make_member(database, enterprise_id=eid)
    identities = {"operator": login(client, "fuzz_op"), "admin": login(client, admin)}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/v1/auth/logout":
            continue  # it would revoke the tokens the other operations use

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            for who, headers in identities.items():
                response = case.call(headers=headers)
                assert response.status_code < 500, (
                    f"{who}: {case.method} {case.formatted_path} → {response.status_code} {response.text}")
                if response.status_code >= 400:
                    body = response.json()
                    assert body["error"]["code"] and body["error"]["message"], body

        check()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 15, checked
