"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from siaga.core.access import Perm
from siaga.core.models import Notification


def siaga(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {"actor": actor, "Perm": Perm}
    unread = Notification.objects.filter(
        recipient_id=actor.user_id,
        government_id=actor.government_id,
        channel=Notification.Channel.IN_APP,
        read_at__isnull=True,
    ).count()
    return {"actor": actor, "Perm": Perm, "unread_notifications": unread}
