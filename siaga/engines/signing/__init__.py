"""The e-signature engine: a local certificate authority for officials, PAdES signing of PDF
documents with a visible stamp and a verification QR code (locally from PKCS#12 or through a
BSrE-style remote signing service), and verification with pyHanko and poppler's ``pdfsig``.

No Django imports here: the web app passes plain values (bytes, paths, names) in and gets plain
values back. See docs/signing.md.
"""
