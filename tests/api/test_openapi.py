"""The OpenAPI document: complete, and true to what the API returns.

The property test loads /openapi.json from the running server, sends
requests that schemathesis generates from it (valid and invalid ones), and
checks every response: never a 5xx, and status, content type, headers and
body as documented.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.routing import Route

from core.api import create_api_app
from core.ledger.models import NewEndpoint
from core.secrets import Secret
from tests.api.conftest import serve_api

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_openapi_lists_every_route(api, world):
    document = api.get("/openapi.json").json()
    app = create_api_app(world.path, world.clock)
    served = {
        (route.path, method.lower())
        for route in app.routes
        if isinstance(route, Route) and route.include_in_schema
        for method in route.methods - {"HEAD"}
    }
    app.state.api.pool.close()
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert documented == served


def test_openapi_is_3_1_with_bearer_auth(api):
    document = api.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}


@pytest.fixture
def served_schema(world):
    """The API with some data in every list, and its schema loaded over HTTP."""
    world.sync_assets("north", {7: "Forklift", 8: "Press"}, deleted=[])
    world.ledger.add_endpoint(NewEndpoint(url="http://127.0.0.1:9/hook", secret=Secret("whsec_" + "B" * 32)), world.clock.now())
    world.append("north", 5)
    handle = serve_api(world)
    try:
        yield schemathesis.openapi.from_url(f"{handle.url}/openapi.json")
    finally:
        handle.stop()


schema = schemathesis.pytest.from_fixture("served_schema")


@schema.parametrize()
@hypothesis.settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_api_matches_its_openapi(case, world):
    case.call_and_validate(headers=world.headers("north"), checks=CHECKS)
