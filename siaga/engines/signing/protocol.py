"""The BSrE-style signing protocol shared by the client (``remote.py``) and the local server
(``testing_server.py``): multipart encoding and decoding, error codes.

``POST /api/sign/pdf`` (multipart): ``file`` (the PDF), ``nik``, ``passphrase``,
``tampilan`` = visible | invisible, ``image`` (optional PNG drawn in the stamp), ``linkQR``,
``page`` (1 = first page, -1 = last), ``xAxis``, ``yAxis``, ``width``, ``height``, ``reason``,
``location``. Answers 200 with the signed PDF (header ``id_dokumen``), or a JSON error
``{"error": "...", "status_code": N}``.

``POST /api/sign/verify`` (multipart: ``signed_file``) answers JSON with one entry per signature.
``GET /api/sign/download/{id}`` answers a PDF signed earlier. Every call uses HTTP Basic auth.
"""

from __future__ import annotations

import email.parser
import email.policy
import secrets
from dataclasses import dataclass, field

# status_code values in JSON error answers
CODE_WRONG_PASSPHRASE = 2031
CODE_UNKNOWN_NIK = 1111
CODE_BAD_REQUEST = 1000
CODE_AUTH = 401
CODE_INTERNAL = 5000


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


def encode_multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """``(body, content_type)`` for a multipart/form-data request."""
    boundary = "siaga-" + secrets.token_hex(16)
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value.encode() + b"\r\n"
        )
    for name, (filename, data, ctype) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {ctype}\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def decode_multipart(body: bytes, content_type: str) -> Form:
    """Parse a multipart/form-data body; ValueError when it is not one."""
    if not content_type.startswith("multipart/form-data"):
        raise ValueError("expected multipart/form-data")
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    if not msg.is_multipart():
        raise ValueError("malformed multipart body")
    form = Form()
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            form.files[str(name)] = (filename, data)
        else:
            form.fields[str(name)] = data.decode("utf-8")
    return form
