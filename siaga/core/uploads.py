"""Uploaded files: checked by their content (never by their name or declared type) and stored under
``MEDIA_ROOT``, which is outside the web root; views serve them only to those entitled."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import tempfile
import uuid
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: kind → (MIME type, file extension)
KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
}
_PIL_FORMATS = {"JPEG": "jpeg", "PNG": "png"}
#: errors that mean "no room for this file": the disk or the quota is full, or the file is too large for
#: the file system or the process's file-size limit
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}

logger = logging.getLogger(__name__)


class StorageFull(OSError):
    """The private storage has no room for a file: nothing was written (the caller writes nothing to the
    database either); the request answers 503 "storage full, try again later"
    (``siaga.core.middleware.ServiceUnavailableMiddleware``)."""


@dataclass(frozen=True)
class CheckedUpload:
    data: bytes
    kind: str
    original_name: str

    @property
    def mime(self) -> str:
        return KINDS[self.kind][0]

    @property
    def extension(self) -> str:
        return KINDS[self.kind][1]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _kind_of(data: bytes) -> str | None:
    """``pdf``, ``jpeg`` or ``png`` when the bytes really are such a file, else None."""
    if data.startswith(b"%PDF-"):
        from pyhanko.pdf_utils.misc import PdfError
        from pyhanko.pdf_utils.reader import PdfFileReader

        try:
            reader = PdfFileReader(BytesIO(data), strict=False)
            reader.root  # noqa: B018 - parsing the catalogue proves the structure is readable
        except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, OSError):
            return None
        return "pdf"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(data)) as image:
            found = image.format or ""
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return _PIL_FORMATS.get(found)


def names(kinds: tuple[str, ...]) -> str:
    """``PDF, JPEG or PNG``: the accepted kinds for a message."""
    labels = [k.upper() for k in kinds]
    return (
        labels[0]
        if len(labels) == 1
        else _("%(first)s or %(last)s")
        % {
            "first": ", ".join(labels[:-1]),
            "last": labels[-1],
        }
    )


def check_upload(
    upload: Any, *, kinds: tuple[str, ...] = ("pdf", "jpeg", "png"), max_bytes: int | None = None, field: str = "file"
) -> CheckedUpload:
    """Read and check one uploaded file; ``ValidationError`` keyed by ``field`` says what to fix."""
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    too_big = _("The file is larger than %(mb)s MB; scan or photograph it at a lower resolution.") % {
        "mb": f"{limit / (1024 * 1024):g}"
    }
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({field: too_big})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({field: too_big})
    if not data:
        raise ValidationError({field: _("The file is empty; choose the file again.")})
    kind = _kind_of(data)
    if kind is None or kind not in kinds:
        raise ValidationError(
            {field: _("The file is not a readable %(kinds)s file; choose another one.") % {"kinds": names(kinds)}}
        )
    name = os.path.basename(str(getattr(upload, "name", "") or ""))[:200]
    return CheckedUpload(data=data, kind=kind, original_name=name)


def store_private(data: bytes, *, folder: str, extension: str) -> str:
    """Write ``data`` under ``MEDIA_ROOT/folder`` with a random name, atomically (a reader never sees
    half a file); return the path relative to ``MEDIA_ROOT``."""
    relative = f"{folder.strip('/')}/{uuid.uuid4().hex}.{extension}"
    target = private_path(relative)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    except OSError as exc:
        _raise_if_full(exc, target)
        raise
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            _raise_if_full(exc, target)
        raise
    return relative


def _raise_if_full(exc: OSError, target: Path) -> None:
    """Turn "no space left" (and its relatives) into ``StorageFull``, logged for the operator."""
    if exc.errno in _NO_SPACE:
        logger.error("private storage full: could not write %s: %s", target.parent, exc)
        raise StorageFull(exc.errno, exc.strerror, str(target.parent)) from exc


def private_path(relative: str) -> Path:
    """The absolute path of a stored file; refuses a path that leaves ``MEDIA_ROOT``."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"{relative!r} is outside the private storage.")
    return path
