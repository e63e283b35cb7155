"""Bytes of an input file -> text. Knows byte-order marks, UTF-8, legacy 8-bit encodings and binary data.

The text that comes out has '\\n' line ends, no control characters but tab and newline, mojibake repaired
("FÃ¼r" -> "Für") and Unicode in NFC.
"""
from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

# ftfy and charset_normalizer are imported where a text needs them (few do): a rebuild that reads a few UTF-8
# files without mojibake needs neither (a tenth of a second of imports).

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


@lru_cache(maxsize=1)
def _ftfy() -> tuple[Callable[..., str], object]:
    """ftfy.fix_text and the options it is called with."""
    import ftfy
    return ftfy.fix_text, ftfy.TextFixerConfig(unescape_html=False, fix_line_breaks=False, normalization=None,
                                                uncurl_quotes=False, fix_latin_ligatures=False,
                                                fix_character_width=False, explain=False)


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
    fix_text, config = _ftfy()
    if len(text) > config.max_decode_length:  # type: ignore[attr-defined]
        return fix_text(text, config)
    # ftfy.fix_text fixes each line on its own; only the lines it could change are handed to it
    return "".join(fix_text(line, config) if _fixable(line) else line
                   for line in _LINE.findall(text))


# What ftfy.fix_text does with a line, with the options of _ftfy(): it repairs mojibake where its heuristic
# (ftfy.badness.BADNESS_RE) finds some, turns C1 controls into Windows-1252 characters (C1 counts as mojibake),
# replaces surrogates, removes terminal escapes and removes its control characters; a line with none of these
# comes out as it went in. _MAYBE_BAD finds what BADNESS_RE finds (of ftfy 6.3, whose pattern _BADNESS_SHA names;
# any other is asked itself), much faster: its alternatives are BADNESS_RE's, those that open with ASCII letters or
# white space rewritten to open at the character after them and look back, so that every alternative opens with a
# character beyond ASCII (or at the start), which the lookahead in front lets the regex engine skip to. A line
# of running text has few such characters; BADNESS_RE tries its 37 alternatives at every character.
_LINE = re.compile(r"[^\n]*\n|[^\n]+")
_BADNESS_SHA = "9dcc0f2ac90d9ae3c85eb7b9b2c0b8a8e8126153847c2b30c91a0bb263f3b8c4"
_MAYBE_BAD_SOURCE = r"""
    [{c1}]
    |
    [{bad}{lower_accented}{upper_accented}{box}{start_punctuation}{end_punctuation}{currency}{numeric}{law}] [{bad}]
    |
    (?<=[a-zA-Z]) [{lower_common}{upper_common}] [{bad}]
    |
    [{bad}] [{lower_accented}{upper_accented}{box}{start_punctuation}{end_punctuation}{currency}{numeric}{law}]
    |
    [{lower_accented}{lower_common}{box}{end_punctuation}{currency}{numeric}] [{upper_accented}]
    |
    [{box}{end_punctuation}{currency}{numeric}] [{lower_accented}]
    |
    [{lower_accented}{box}{end_punctuation}] [{currency}]
    |
    (?<=\s) [{upper_accented}] [{currency}]
    |
    [{upper_accented}{box}] [{numeric}{law}]
    |
    [{lower_accented}{upper_accented}{box}{currency}{end_punctuation}] [{start_punctuation}] [{numeric}]
    |
    [{lower_accented}{upper_accented}{currency}{numeric}{box}{law}] [{end_punctuation}] [{start_punctuation}]
    |
    [{currency}{numeric}{box}] [{start_punctuation}]
    |
    (?<=[a-z]) [{upper_accented}] [{start_punctuation}{currency}]
    |
    [{box}] [{kaomoji}]
    |
    [{lower_accented}{upper_accented}{currency}{numeric}{start_punctuation}{end_punctuation}{law}] [{box}]
    |
    [{box}] [{end_punctuation}]
    |
    [{lower_accented}{upper_accented}] [{start_punctuation}{end_punctuation}] \w
    |
    [Œœ][^A-Za-z]
    |
    [{upper_accented}]°
    |
    [ÂÃÎÐ][€œŠš¢£Ÿž\xa0\xad®©°·»{start_punctuation}{end_punctuation}–—´]
    |
    × [²³]
    |
      [ØÙ] [{common}{currency}{bad}{numeric}{start_punctuation}ŸŠ®°µ»]
      [ØÙ] [{common}{currency}{bad}{numeric}{start_punctuation}ŸŠ®°µ»]
    |
    à[²µ¹¼½¾]
    |
    √[±∂†≠®™´≤≥¥µø]
    |
    ≈[°¢]
    |
    ‚Ä[ìîïòôúùû†°¢π]
    |
    ‚[âó][àä°ê]
    |
    вЂ
    |
    [ВГРС][{c1}{bad}{start_punctuation}{end_punctuation}{currency}°µ][ВГРС]
    |
    ГўВЂВ.[A-Za-z ]
    |
    Ã[\xa0¡]
    |
    (?<=[a-z]) [ÃÂ][ ]
    |
    (?<=[a-z]\s) [ÃÂ][ ]
    |
    ^[ÃÂ][ ]
    |
    (?<=[a-z.,?!{end_punctuation}]) Â [ {start_punctuation}{end_punctuation}]
    |
    β€[™\xa0Ά\xad®°]
    |
    [ΒΓΞΟ][{c1}{bad}{start_punctuation}{end_punctuation}{currency}°][ΒΓΞΟ]
    |
    ā€
"""


@lru_cache(maxsize=1)
def _tests() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """_MAYBE_BAD (compiled where ftfy's pattern is the one it was written from, else ftfy's own) and the
    characters ftfy removes; made on first use, as few texts need them."""
    import ftfy.badness
    import ftfy.chardata
    if hashlib.sha256(ftfy.badness.BADNESS_RE.pattern.encode()).hexdigest() == _BADNESS_SHA:
        categories = ftfy.badness.MOJIBAKE_CATEGORIES
        maybe_bad = re.compile("(?=[^\\x00-\\x7f])(?:" + _MAYBE_BAD_SOURCE.format(**categories) + ")", re.VERBOSE)
    else:
        maybe_bad = ftfy.badness.BADNESS_RE
    removes = "".join(re.escape(chr(c)) for c in ftfy.chardata.CONTROL_CHARS)
    return maybe_bad, re.compile("[\\x1b\\ud800-\\udfff" + removes + "]")


def _fixable(line: str) -> bool:
    """Whether ftfy.fix_text could change ``line`` (one line: see _MAYBE_BAD)."""
    maybe_bad, removes = _tests()
    return bool(maybe_bad.search(line) or removes.search(line))


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
    from charset_normalizer import from_bytes
    best = from_bytes(data).best()
    if best is not None and best.encoding.replace("-", "_") not in _LATIN:
        return str(best)
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")
