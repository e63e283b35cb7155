"""Bytes of an input file -> text. Knows byte-order marks, UTF-8, legacy 8-bit encodings and binary data."""
from __future__ import annotations

import codecs
import unicodedata

from charset_normalizer import from_bytes

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Magic numbers of common binary formats that end up in content folders by mistake.
_BINARY_MAGIC = ((b"%PDF", "a PDF document"), (b"PK\x03\x04", "a zip archive"), (b"\x89PNG", "a PNG image"),
                 (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"), (b"\x1f\x8b", "gzip data"))


class DecodeError(ValueError):
    """The bytes are not text; the message says what they look like."""


def decode(data: bytes) -> str:
    """Text of ``data``: line ends made '\\n', Unicode NFC. Raises DecodeError for binary data."""
    text = _decode_bytes(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _decode_bytes(data: bytes) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise DecodeError("not text (broken byte-order mark)") from None
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise DecodeError(f"not text ({what})")
    if b"\x00" in data[:8192]:
        raise DecodeError("not text (binary data)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise DecodeError("not text (binary data)")
    return str(best)
