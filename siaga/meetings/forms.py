"""Forms of the meetings app: they parse input; the services validate the rules."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from siaga.meetings.models import EventKind, MeetingMode
from siaga.rostering.models import MeetingPriority


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


def combine(government: object, day: dt.date | None, at: dt.time | None) -> dt.datetime | None:
    """A local date and time in the government's zone as an aware datetime."""
    if day is None or at is None:
        return None
    return dt.datetime.combine(day, at, tzinfo=government.tzinfo)  # type: ignore[attr-defined]


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    priority = forms.ChoiceField(label=_("Priority"), choices=MeetingPriority.choices)
    mode = forms.ChoiceField(label=_("Mode"), choices=MeetingMode.choices)
    organiser_unit = forms.TypedChoiceField(label=_("Organising unit"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("From"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput)
    room = forms.TypedChoiceField(label=_("Room"), coerce=int, required=False, empty_value=None)
    video_link = forms.CharField(label=_("Video conference link"), max_length=500, required=False)
    attendees = forms.TypedMultipleChoiceField(
        label=_("Invitees"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    other_nips = forms.CharField(
        label=_("Other invitees (NIP)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("NIPs of people of other units, separated by commas, spaces or new lines."),
    )
    in_person = forms.TypedMultipleChoiceField(
        label=_("In the room (hybrid meetings)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a hybrid meeting, tick who takes a seat in the room; the others join online."),
    )

    def __init__(self, *args: object, units: list, people: list, rooms: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organiser_unit"].choices = [(u.pk, u.name) for u in units]  # type: ignore[attr-defined]
        people_choices = [(e.pk, f"{e.name} · {e.unit.name}") for e in people]
        self.fields["attendees"].choices = people_choices  # type: ignore[attr-defined]
        self.fields["in_person"].choices = people_choices  # type: ignore[attr-defined]
        self.fields["room"].choices = [("", _("No room (online)"))] + [  # type: ignore[attr-defined]
            (
                c.room.pk,
                _("%(room)s, %(building)s: %(free)d of %(capacity)d seats free")
                % {"room": c.room.name, "building": c.room.floor.building.name, "free": c.free, "capacity": c.capacity},
            )
            for c in rooms
        ]
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())

    def clean_other_nips(self) -> list[str]:
        text = self.cleaned_data.get("other_nips") or ""
        nips = [part for part in text.replace(",", " ").split() if part]
        bad = [nip for nip in nips if not (nip.isdigit() and len(nip) == 18)]
        if bad:
            raise forms.ValidationError(_("A NIP has 18 digits; check %(nips)s.") % {"nips": ", ".join(bad)})
        return nips


class RescheduleForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("From"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput)


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    start_time = forms.TimeField(label=_("From"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput)
    units = forms.TypedMultipleChoiceField(
        label=_("Participating units"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, units: list, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["units"].choices = [(u.pk, u.name) for u in units]  # type: ignore[attr-defined]
