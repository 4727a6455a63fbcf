"""Rotating a site's or service client's secret: the new one at once, the old one for a while."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from .conftest import AuthApi


async def _site(api: AuthApi) -> dict[str, Any]:
    r = await api.post("/sites", {"name": f"Gateway {uuid4().hex[:6]}", "store_ids": []})
    assert r.status_code == 201, r.text
    site: dict[str, Any] = r.json()
    return site


async def _grant(api: AuthApi, client_id: str, secret: str) -> int:
    r = await api.token(grant_type="client_credentials", client_id=client_id, client_secret=secret)
    return r.status_code


async def test_a_rotated_site_secret_works_at_once_and_the_old_one_for_the_grace_period(
    api: AuthApi,
) -> None:
    site = await _site(api)
    r = await api.post(f"/sites/{site['site_id']}/secret", {"keep_previous_hours": 24})
    assert r.status_code == 201, r.text
    rotated = r.json()
    assert rotated["client_id"] == site["site_id"] and rotated["secret"] != site["secret"]
    until = datetime.fromisoformat(rotated["previous_valid_until"])
    assert abs(until - (datetime.now(UTC) + timedelta(hours=24))) < timedelta(minutes=1)
    assert await _grant(api, site["site_id"], rotated["secret"]) == 200
    assert await _grant(api, site["site_id"], site["secret"]) == 200


async def test_the_old_site_secret_is_refused_once_its_grace_period_is_over(api: AuthApi) -> None:
    site = await _site(api)
    rotated = (await api.post(f"/sites/{site['site_id']}/secret", {})).json()
    await api.pool.execute(
        "update sites set previous_secret_until = now() - interval '1 second' where site_id = $1",
        UUID(site["site_id"]),
    )
    assert await _grant(api, site["site_id"], site["secret"]) == 401
    assert await _grant(api, site["site_id"], rotated["secret"]) == 200


async def test_a_leaked_secret_rotated_with_no_grace_is_refused_at_once(api: AuthApi) -> None:
    site = await _site(api)
    r = await api.post(f"/sites/{site['site_id']}/secret", {"keep_previous_hours": 0})
    assert r.status_code == 201 and r.json()["previous_valid_until"] is None
    assert await _grant(api, site["site_id"], site["secret"]) == 401
    assert await _grant(api, site["site_id"], r.json()["secret"]) == 200


async def test_a_second_rotation_ends_the_first_secret_for_good(api: AuthApi) -> None:
    site = await _site(api)
    second = (await api.post(f"/sites/{site['site_id']}/secret", {})).json()
    third = (await api.post(f"/sites/{site['site_id']}/secret", {})).json()
    assert await _grant(api, site["site_id"], site["secret"]) == 401
    assert await _grant(api, site["site_id"], second["secret"]) == 200
    assert await _grant(api, site["site_id"], third["secret"]) == 200


async def test_a_retried_rotation_answers_the_same_secret_and_rotates_once(api: AuthApi) -> None:
    site = await _site(api)
    key = {"idempotency-key": str(uuid4())}
    path = f"/sites/{site['site_id']}/secret"
    first = await api.client.post(path, json={}, headers={**api.admin, **key})
    again = await api.client.post(path, json={}, headers={**api.admin, **key})
    assert first.status_code == again.status_code == 201
    assert first.json()["secret"] == again.json()["secret"]
    # Had the retry rotated again, the first answer's secret would be the previous one and the
    # site's original secret refused; both still work.
    assert await _grant(api, site["site_id"], site["secret"]) == 200
    assert await _grant(api, site["site_id"], first.json()["secret"]) == 200


async def test_a_service_client_secret_rotates_the_same_way(api: AuthApi) -> None:
    r = await api.post("/service-clients", {"client_id": "etl", "name": "ETL", "rights": []})
    old = r.json()["secret"]
    r = await api.post("/service-clients/etl/secret", {"keep_previous_hours": 0})
    assert r.status_code == 201, r.text
    assert await _grant(api, "etl", old) == 401
    assert await _grant(api, "etl", r.json()["secret"]) == 200


async def test_rotation_needs_the_right_and_an_existing_caller(api: AuthApi) -> None:
    site = await _site(api)
    await api.user("amina")
    headers = await api.bearer("amina", "pa55word-long")
    refused = await api.client.post(f"/sites/{site['site_id']}/secret", json={}, headers=headers)
    assert refused.status_code == 403
    assert await _grant(api, site["site_id"], site["secret"]) == 200
    assert (await api.post(f"/sites/{uuid4()}/secret", {})).status_code == 404
    assert (await api.post("/service-clients/nobody/secret", {})).status_code == 404
    bad = await api.post(f"/sites/{site['site_id']}/secret", {"keep_previous_hours": -1})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
