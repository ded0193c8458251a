"""SKM answers and the IKM (PermenPAN-RB 14/2017), with worked examples; the report by role; exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from siaga.services.models import Application, Service
from siaga.survey import services
from siaga.survey.elements import CODES, compute, grade_of
from siaga.survey.models import SurveyResponse

pytestmark = pytest.mark.django_db


def scores(*values: int) -> dict[str, int]:
    return dict(zip(CODES, values, strict=True))


def closed(post: dict[str, Any], make_application: Any, citizen: Any, service: Service | None = None) -> Application:
    return make_application(service or post["ktp"], citizen, status="closed")


def test_worked_example_two_respondents() -> None:
    # R1: 4 3 3 4 3 3 4 2 3; R2: 3 3 2 4 3 4 4 3 3 → means 3.5 3 2.5 4 3 3.5 4 2.5 3, sum 29,
    # index 29/9 = 3.2222…, IKM 80.555… → 80.56, grade B (Baik).
    sums = {c: a + b for c, a, b in zip(CODES, (4, 3, 3, 4, 3, 3, 4, 2, 3), (3, 3, 2, 4, 3, 4, 4, 3, 3), strict=True)}
    ikm = compute(sums, 2)
    assert ikm.means["u1"] == Decimal("3.5") and ikm.means["u8"] == Decimal("2.5")
    assert (ikm.value, ikm.grade, ikm.performance, ikm.respondents) == (Decimal("80.56"), "B", "Good", 2)


def test_worked_examples_at_the_edges() -> None:
    assert compute({c: 4 for c in CODES}, 1).value == Decimal("100.00")
    assert compute({c: 4 for c in CODES}, 1).grade == "A"
    assert (compute({c: 1 for c in CODES}, 1).value, compute({c: 1 for c in CODES}, 1).grade) == (Decimal("25.00"), "D")
    # Five respondents: three answer 3 everywhere, two answer 2: every mean 2.6, IKM 65.00 → C (the lowest C).
    five = compute({c: 3 * 3 + 2 * 2 for c in CODES}, 5)
    assert (five.value, five.grade, five.performance) == (Decimal("65.00"), "C", "Less good")
    for value, grade in [
        ("88.31", "A"),
        ("88.30", "B"),
        ("76.61", "B"),
        ("76.60", "C"),
        ("65.00", "C"),
        ("64.99", "D"),
    ]:
        assert grade_of(Decimal(value))[0] == grade, value
    assert compute({c: 0 for c in CODES}, 0).value is None


def test_answer_once_after_closing(post: dict[str, Any], actor_of: Any, make_application: Any) -> None:
    budi = actor_of(post["budi"].user, post["government"])
    app = closed(post, make_application, post["budi"])
    with pytest.raises(ValidationError) as exc:
        services.survey_submit(application=app, scores=scores(4, 4, 4, 4, 4, 4, 4, 4, 5), actor=budi)
    assert "U9" not in str(exc.value) and "Facilities" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.survey_submit(
            application=app, scores=scores(*[4] * 9), actor=actor_of(post["siti"].user, post["government"])
        )
    answer = services.survey_submit(
        application=app, scores=scores(4, 3, 3, 4, 3, 3, 4, 2, 3), suggestion=" Antre lama ", actor=budi
    )
    assert (answer.u1, answer.u8, answer.suggestion, answer.unit_id) == (4, 2, "Antre lama", post["dinas"].pk)
    with pytest.raises(ValidationError) as exc:
        services.survey_submit(application=app, scores=scores(*[4] * 9), actor=budi)
    assert "already answered" in str(exc.value)
    for status in ("cancelled", "rejected", "issued"):
        other = make_application(post["ktp"], post["budi"], status=status)
        with pytest.raises(ValidationError) as exc:
            services.survey_submit(application=other, scores=scores(*[4] * 9), actor=budi)
        assert "opens when your application is finished" in str(exc.value)
    assert SurveyResponse.objects.count() == 1


@pytest.fixture
def answered(post: dict[str, Any], make_application: Any, make_citizen: Any) -> dict[str, Any]:
    """Two answers at DPMPTSP (the worked example, IKM 80.56) and one at Dinas Kesehatan (all 4)."""
    dinkes = Service.objects.create(
        government=post["government"],
        unit=post["other_unit"],
        code="surat-sehat",
        name="Surat Keterangan Sehat",
        sla_days=1,
        product="Surat",
        product_kind="permit",
        signer_position=post["pbg"].signer_position,
    )
    a = closed(post, make_application, post["budi"])
    b = closed(post, make_application, post["siti"], post["usaha"])
    c = closed(post, make_application, post["siti"], dinkes)
    services.survey_submit(application=a, scores=scores(4, 3, 3, 4, 3, 3, 4, 2, 3), suggestion="Antre lama", actor=None)
    services.survey_submit(application=b, scores=scores(3, 3, 2, 4, 3, 4, 4, 3, 3), actor=None)
    services.survey_submit(application=c, scores=scores(*[4] * 9), actor=None)
    return {**post, "dinkes": dinkes}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_report_by_role_and_scope(answered: dict[str, Any]) -> None:
    url = reverse("survey:report")
    expected = {
        "admin": 200,
        "officer": 403,
        "other_officer": 403,
        "head": 200,
        "staff": 403,
        "other_staff": 403,
        "budi": 403,
        "siti": 403,
    }
    users = {
        **{k: answered["users"][k] for k in ("admin", "officer", "head", "staff", "other_staff")},
        "other_officer": answered["other_officer"],
        "budi": answered["budi"].user,
        "siti": answered["siti"].user,
    }
    assert {k: _client(u).get(url).status_code for k, u in users.items()} == expected
    admin_page = _client(users["admin"]).get(url).content.decode()
    assert "Dinas Kesehatan" in admin_page and "DPMPTSP" in admin_page and "Antre lama" in admin_page
    head_page = _client(users["head"]).get(url).content.decode()
    assert "80.56" in head_page and "Dinas Kesehatan" not in head_page


def test_exports_read_back(answered: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    head = _client(answered["users"]["head"])
    response = head.get(reverse("survey:report"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Level", "Name", "Respondents"] and rows[0][-3:] == ["IKM", "Grade", "Performance"]
    assert rows[1][0] == "Total" and rows[1][2] == "2" and rows[1][-3:] == ["80.56", "B", "Good"]
    assert rows[2][:3] == ["Unit", "DPMPTSP", "2"] and rows[2][3] == "3.50"
    assert {r[1] for r in rows[3:]} == {"KTP-el Pemula", "Izin Usaha Mikro"}
    admin = _client(answered["users"]["admin"])
    xlsx = admin.get(reverse("survey:report"), {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    table = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    total = table[0]
    # (29/9 × 25 + 100) / 2 is not the total: the total is the mean over all three respondents' answers.
    # Means: u1 (4+3+4)/3 … sum of means = (29×2 + 36)/3 = 94/3; IKM = 94/27 × 25 = 87.037… → 87.04 (B).
    assert (total[0], total[2], total[-3], total[-2]) == ("Total", 3, 87.04, "B")
    units = {row[1]: row for row in table if row[0] == "Unit"}
    assert units["Dinas Kesehatan"][-3:] == [100.0, "A", "Very good"]
    # A period without answers.
    old = admin.get(reverse("survey:report"), {"format": "csv", "start": "2020-01-01", "end": "2020-01-31"})
    assert list(csv.reader(io.StringIO(old.content.decode())))[1][:3] == ["Total", "", "0"]


def test_answer_page_by_role(post: dict[str, Any], make_application: Any) -> None:
    app = closed(post, make_application, post["budi"])
    url = reverse("survey:answer", args=[app.reference])
    assert _client(post["siti"].user).get(url).status_code == 404
    assert _client(post["users"]["officer"]).get(url).status_code == 403
    assert _client(post["users"]["admin"]).get(url).status_code == 403
    assert _client(post["users"]["other_staff"]).get(url).status_code == 404
    owner = _client(post["budi"].user)
    page = owner.get(url).content.decode()
    assert "How do you find the speed of the service?" in page and "Very fast" in page
    missing = owner.post(url, {"u1": "4"})
    assert missing.status_code == 422 and "Choose one answer for “Procedure”" in missing.content.decode()
    assert owner.post(url, {**{c: "3" for c in CODES}, "suggestion": "Bagus"}).status_code == 302
    assert "You have answered the survey" in owner.get(url).content.decode()
    assert SurveyResponse.objects.get().u1 == 3


@pytest.mark.indonesian
def test_questions_in_the_regulations_wording(post: dict[str, Any], make_application: Any) -> None:
    app = closed(post, make_application, post["budi"])
    page = _client(post["budi"].user).get(reverse("survey:answer", args=[app.reference])).content.decode()
    assert "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?" in page
    assert "Sangat sopan dan ramah" in page and "Dikelola dengan baik" in page


def test_period_filter(answered: dict[str, Any]) -> None:
    SurveyResponse.objects.filter(service=answered["usaha"]).update(
        submitted_at=timezone.now() - dt.timedelta(days=400)
    )
    rows = list(
        csv.reader(
            io.StringIO(
                _client(answered["users"]["head"]).get(reverse("survey:report"), {"format": "csv"}).content.decode()
            )
        )
    )
    assert rows[1][2] == "1"
