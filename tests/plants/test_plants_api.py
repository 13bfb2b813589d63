"""Plant routes over HTTP: photos (owner only, images only, resized, 10 MB at most) and the push
subscription routes; anyone else gets 404 whatever the id."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import Session
from starlette.testclient import TestClient

from accumulator.db import utcnow
from accumulator.plants import service
from accumulator.plants.models import Plant
from accumulator.runtime import Services
from tests.plants.test_push import Browser

PASSWORD = "a long owner password"


@pytest.fixture
def plant(session: Session) -> Plant:
    created = service.create_plant(session=session, data=service.parse_input({"name": "Fern"}), now=utcnow())
    session.commit()
    return created


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 140, 60)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_photo_is_resized_kept_as_jpeg_and_replaced_without_leftovers(
    owner: TestClient, plant: Plant, services: Services, session: Session
) -> None:
    answer = owner.post(f"/api/plants/{plant.id}/photo", content=png(3000, 2000))
    assert answer.status_code == 200
    shown = owner.get(answer.json()["photo_url"])
    assert shown.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(shown.content)).size == (1280, 853)
    first = next(services.photo_store.stored())
    owner.post(f"/api/plants/{plant.id}/photo", content=png(100, 100))
    assert [name for name in services.photo_store.stored()] != [first]
    assert len(list(services.photo_store.stored())) == 1  # the old photo is gone from disk


def test_not_a_photo_or_too_large_is_refused_and_nothing_is_kept(
    owner: TestClient, plant: Plant, services: Services
) -> None:
    not_image = owner.post(f"/api/plants/{plant.id}/photo", content=b"%PDF-1.4 definitely not a photo")
    assert not_image.status_code == 400 and "not a photo" in not_image.json()["error"]
    huge = owner.post(f"/api/plants/{plant.id}/photo", content=b"x" * (10 * 1024 * 1024 + 1))
    assert huge.status_code == 413 and "10 MB" in huge.json()["error"]
    assert list(services.photo_store.stored()) == []
    assert owner.get(f"/api/plants/{plant.id}/photo").status_code == 404


def test_without_a_session_every_plant_route_answers_404(client: TestClient, plant: Plant) -> None:
    for method, address in (
        ("GET", f"/api/plants/{plant.id}/photo"),
        ("POST", f"/api/plants/{plant.id}/photo"),
        ("GET", "/api/plants/999999/photo"),
        ("GET", "/api/plants/push/key"),
        ("POST", "/api/plants/push/subscriptions"),
    ):
        assert client.request(method, address, content=png(10, 10)).status_code == 404, address


def test_a_browser_subscribes_with_the_servers_key(owner: TestClient) -> None:
    key = owner.get("/api/plants/push/key").json()["public_key"]
    assert len(key) == 87  # 65 bytes, base64url without padding
    browser = Browser.new()
    subscription = browser.subscription("https://push.example.net/send/abc")
    assert owner.post("/api/plants/push/subscriptions", json=subscription).status_code == 201
    bad = owner.post("/api/plants/push/subscriptions", json={"endpoint": "ftp://x", "keys": {}})
    assert bad.status_code == 400 and bad.json()["error"]
    gone = owner.request("DELETE", "/api/plants/push/subscriptions", json={"endpoint": subscription["endpoint"]})
    assert gone.json() == {"removed": True}
