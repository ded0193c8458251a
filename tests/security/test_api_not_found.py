"""A path under /api/ that no operation matches answers the API's JSON error, not the HTML page
(schemathesis found /api/v1/work-reports/<non-number> answering text/html)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/work-reports/null,null", "/api/v1/recalls/abc/cancel", "/api/v1/no-such-thing"]
)
def test_unmatched_api_paths_answer_json_404(client: Any, org: dict[str, Any], path: str) -> None:
    client.force_login(org["users"]["admin"])
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_pages_still_answer_the_html_404(client: Any, org: dict[str, Any]) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
