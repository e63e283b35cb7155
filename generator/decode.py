"""Bytes of an input file -> text. Knows byte-order marks, UTF-8, legacy 8-bit encodings and binary data.

The text that comes out has '\\n' line ends, no control characters but tab and newline, mojibake repaired
("FÃ¼r" -> "Für") and Unicode in NFC.
"""
from __future__ import annotations

import codecs
import re
import unicodedata

import ftfy
from charset_normalizer import from_bytes

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Magic numbers of common binary formats that end up in content folders by mistake.
_BINARY_MAGIC = ((b"%PDF", "a PDF document"), (b"PK\x03\x04", "a zip archive"), (b"\x89PNG", "a PNG image"),
                 (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"), (b"\x1f\x8b", "gzip data"))
# C0 and C1 control characters except tab and newline, the byte-order mark inside text, and invisible
# hyphenation and spacing hints (soft hyphen, zero-width space, word joiner) that split words for search.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\xad\u200b\u2060]")
# Share of control bytes above which a file counts as binary data.
_MAX_CONTROL_SHARE = 0.05
# The bytes that count as control bytes for it: C0 controls but tab, newline, form feed and carriage return.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
# Encodings that a detector confuses with one another on Western European text.
_LATIN = frozenset({"cp1252", "latin_1", "iso8859_1", "iso8859_15", "cp1250", "iso8859_2", "mac_roman",
                    "mac_latin2", "cp850", "cp437", "iso8859_9", "cp1254", "iso8859_3", "iso8859_4", "cp1257"})
_FTFY_CONFIG = ftfy.TextFixerConfig(unescape_html=False, fix_line_breaks=False, normalization=None,
                                    uncurl_quotes=False, fix_latin_ligatures=False, fix_character_width=False,
                                    explain=False)


class DecodeError(ValueError):
    """The bytes are not text; the message says what they look like."""


def decode(data: bytes) -> str:
    """Text of ``data``: line ends made '\\n', Unicode NFC. Raises DecodeError for binary data."""
    return clean_text(_decode_bytes(data))


def clean_text(text: str) -> str:
    """Decoded text made tidy: line ends, mojibake, control characters, NFC."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = fix_mojibake(text)
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def fix_mojibake(text: str) -> str:
    """UTF-8 that was once read as Windows-1252 or Latin-1, read right again ("FÃ¼r" -> "Für")."""
    if not any(ch in text for ch in "ÃÂâÅ"):
        return text  # every common mojibake sequence starts with one of these; skip the slow path
    return ftfy.fix_text(text, _FTFY_CONFIG)


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
    if b"\x00" in data[:8192] or _control_share(data[:8192]) > _MAX_CONTROL_SHARE:
        raise DecodeError("not text (binary data)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _legacy(data)


def _control_share(sample: bytes) -> float:
    """Share of control bytes in ``sample``; a handful of stray ones in a short text count as none."""
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample) if controls > 8 else 0.0


def _legacy(data: bytes) -> str:
    """Text in an 8-bit encoding. Where the detector sees a Latin script, Windows-1252 (a superset of Latin-1's
    printable characters and what Western European Windows writes) reads it; other scripts as detected."""
    best = from_bytes(data).best()
    if best is not None and best.encoding.replace("-", "_") not in _LATIN:
        return str(best)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")
