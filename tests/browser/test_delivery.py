"""In the browser (phone-sized): a courier marks an order out for delivery, then delivered with a photo
and the recipient's name; the application ends closed, and the citizen answers the survey."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from siaga.delivery import services
from siaga.delivery.models import DeliveryOrder
from siaga.delivery.tests.conftest import desk, image_bytes, make_application, make_citizen, post  # noqa: F401
from siaga.services.models import Application
from siaga.survey.models import SurveyResponse
from tests.browser.fixtures import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_courier_delivers_and_the_citizen_answers_the_survey(page, post, actor_of, tmp_path):  # noqa: F811
    order = services.delivery_create(
        application=post["app"],
        courier_kind="staff",
        courier=post["courier"],
        scheduled_on=timezone.localdate(),
        area="Kartasura",
        actor=actor_of(post["users"]["officer"], post["government"]),
    )
    picture = tmp_path / "serah-terima.jpg"
    picture.write_bytes(image_bytes("JPEG", (120, 90)))

    log_in(page, "staf", PASSWORD)
    page.goto("/pengantaran/hari-ini/")
    card = page.get_by_test_id(f"order-{order.pk}")
    expect(card).to_contain_text("Jl. Melati 5")
    expect(card.get_by_test_id("status")).to_have_text("Terjadwal")
    card.get_by_role("button", name="Berangkat").click()
    card = page.get_by_test_id(f"order-{order.pk}")
    expect(card.get_by_test_id("status")).to_have_text("Sedang diantar")
    card.get_by_label("Diterima oleh").fill("Ibu Sri Santoso")
    card.get_by_label("Foto serah terima").set_input_files(str(picture))
    card.locator("button.big.ok").click()
    expect(page.get_by_test_id(f"order-{order.pk}").get_by_test_id("status")).to_have_text("Diantar")

    order.refresh_from_db()
    assert (order.status, order.received_by, order.photo_type) == ("delivered", "Ibu Sri Santoso", "image/jpeg")
    assert Application.objects.get(pk=post["app"].pk).status == "closed"

    page.context.clear_cookies()
    log_in(page, "budi", PASSWORD)
    page.goto(f"/skm/isi/{post['app'].reference}/")
    questions = page.locator("fieldset.survey-question")
    expect(questions).to_have_count(9)
    for index in range(9):
        questions.nth(index).locator("input[type=radio]").nth(3 if index % 2 else 2).check()
    page.fill("#suggestion", "Pengantaran cepat, terima kasih")
    page.get_by_role("button", name="Kirim").click()
    expect(page.get_by_test_id("survey-done")).to_be_visible()
    answer = SurveyResponse.objects.get(application=post["app"])
    assert (answer.u1, answer.u2, answer.suggestion) == (3, 4, "Pengantaran cepat, terima kasih")
    assert DeliveryOrder.objects.get().status == "delivered"
