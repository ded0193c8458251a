"""QuickSelect writes exactly the HTML of Django's Select."""

from __future__ import annotations

import pytest
from django import forms

from siaga.core.widgets import QuickSelect
from siaga.org.models import Unit


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---"), ("a", 'Dinas <Kesehatan> & "Rumah" Sakit'), ("b", "Bapenda")])
    grouped = forms.ChoiceField(
        choices=[("Gedung A", [("1", "Lantai 1"), ("2", "Lantai 2")]), ("Gedung B", [("3", "Lantai 1")])],
        required=False,
    )


def both(form_class: type[forms.Form], data: dict[str, str] | None, **kwargs: object) -> tuple[list[str], list[str]]:
    """Every field's HTML with Django's Select and with QuickSelect."""
    django_form = form_class(data, **kwargs)
    quick_form = form_class(data, **kwargs)
    for field in quick_form.fields.values():
        quick = QuickSelect(attrs=field.widget.attrs)
        quick.choices = field.widget.choices  # type: ignore[attr-defined]
        field.widget = quick
    return [str(django_form[n]) for n in django_form.fields], [str(quick_form[n]) for n in quick_form.fields]


def test_plain_and_grouped_choices_with_a_selection_escape_and_mark_alike() -> None:
    django_html, quick_html = both(Choices, {"plain": "a", "grouped": "2"})
    assert quick_html == django_html
    assert 'value="a" selected>Dinas &lt;Kesehatan&gt; &amp; &quot;Rumah&quot; Sakit</option>' in quick_html[0]
    assert '<optgroup label="Gedung A">' in quick_html[1]


def test_an_invalid_choice_keeps_the_error_attributes_alike() -> None:
    django_html, quick_html = both(Choices, {"plain": "zzz"})
    assert quick_html == django_html
    assert 'aria-invalid="true"' in quick_html[0]
    assert " required" in quick_html[0]


@pytest.mark.django_db
def test_a_model_choice_field_writes_the_same_options(government) -> None:  # type: ignore[no-untyped-def]
    units = [Unit.objects.create(government=government, name=f"Bidang {i}", code=f"B{i}") for i in range(5)]

    class UnitForm(forms.Form):
        unit = forms.ModelChoiceField(queryset=Unit.objects.filter(government=government).order_by("name"))

    django_html, quick_html = both(UnitForm, {"unit": str(units[3].pk)})
    assert quick_html == django_html
    assert f'<option value="{units[3].pk}" selected>Bidang 3</option>' in quick_html[0]
    assert quick_html[0].count("<option") == 6  # the empty choice and the five units
