"""Bytes -> text: every encoding a content folder holds, made tidy, and binary data refused."""
from __future__ import annotations

import codecs
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.decode import DecodeError, decode

GERMAN = "Über dieses Thema berichtete die „Tagesschau“ – Größe, Maße, Öl."


def test_utf8_without_bom() -> None:
    assert decode(GERMAN.encode("utf-8")) == GERMAN


def test_utf8_with_bom_loses_the_bom() -> None:
    assert decode(codecs.BOM_UTF8 + GERMAN.encode("utf-8")) == GERMAN


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(encoding: str) -> None:
    data = GERMAN.encode(encoding)
    if encoding != "utf-16":  # the plain codec writes its own BOM
        data = (codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE) + data
    assert decode(data) == GERMAN


def test_windows_1252_is_detected() -> None:
    assert decode(GERMAN.encode("cp1252")) == GERMAN


def test_latin1_is_detected() -> None:
    text = "Für die Straße nach Köln: schöne Grüße aus Zürich."
    assert decode(text.encode("latin-1")) == text


def test_crlf_and_cr_become_newlines() -> None:
    assert decode(b"one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"


def test_control_characters_are_removed_but_tab_and_newline_stay() -> None:
    assert decode(b"a\x07b\x1bc\td\ne\x7f") == "abc\td\ne"


def test_text_comes_out_in_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Café Müller")
    assert decode(decomposed.encode("utf-8")) == "Café Müller"


def test_mojibake_is_repaired() -> None:
    assert decode("FÃ¼r die StraÃŸe".encode("utf-8")) == "Für die Straße"


def test_correct_text_with_rare_letters_is_left_alone() -> None:
    text = "Ångström, Â la carte, Åland"
    assert decode(text.encode("utf-8")) == text


@pytest.mark.parametrize("data, what", [(b"%PDF-1.4 ...", "PDF"), (b"PK\x03\x04rest", "zip"),
                                        (b"\x89PNG\r\n\x1a\n", "PNG"), (b"abc\x00def", "binary")])
def test_binary_data_is_refused(data: bytes, what: str) -> None:
    with pytest.raises(DecodeError, match=what):
        decode(data)


def test_many_control_bytes_count_as_binary() -> None:
    with pytest.raises(DecodeError):
        decode(bytes(range(1, 32)) * 20)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_give_text_or_decode_error(data: bytes) -> None:
    try:
        text = decode(data)
    except DecodeError:
        return
    assert "\r" not in text
    assert unicodedata.is_normalized("NFC", text)


# The characters ftfy's mojibake heuristic looks at, with ASCII, white space and controls around them.
_MOJIBAKE_ALPHABET = "".join(sorted(set(
    "abzAZ .,?!\n\t\xa0\xad\x1b\x85\u206a\ufeffäöüÄÖÜßé€œŠš¢£Ÿž®©°·»–—´ØÙÂÃÎÐ²³×à√±∂†≠™≤≥¥µø≈‚ÄâóêвЂВГРСўβΆΒΓΞΟā"
    "¦¤¨¬¯¸ƒˆˇ˘˛˜‡‰⌐◊�ªº¶§₧¡«¿΄΅‘“„•‹»˝”›¹¼½¾÷⁄∂∆∏∑∞∩∫≡№ÒÕŐŌŪŲÀÑĂĀĄĆČĎĐĘİŁŒŘŚŞŢŤŮŰŹŻŽҐàñăąćčęğłœśşšťźżžґﬁﬂαωаяΑΩЁЯ"
    "│┌┐┘├┤┬┼═╬▀▄█▌▐░▒▓")))


@settings(max_examples=3000)
@given(st.text(alphabet=_MOJIBAKE_ALPHABET, max_size=12))
def test_the_fast_mojibake_test_finds_what_ftfys_finds(text: str) -> None:
    import ftfy.badness

    from generator.decode import _tests
    assert bool(_tests()[0].search(text)) == ftfy.badness.is_bad(text)


@settings(max_examples=500)
@given(st.lists(st.sampled_from(["FÃ¼r", "Ã1⁄4", "für", "„Zitat“ –", "Â ", "â€“", "château", "\x1b[31m", "\x85",
                                 "\u206a", "\n", " ", "x"]), max_size=30))
def test_mojibake_is_fixed_line_by_line_as_ftfy_fixes_the_whole_text(words: list[str]) -> None:
    import ftfy

    from generator.decode import _ftfy, fix_mojibake
    text = "Ã " + "".join(words)  # a marker, so that ftfy is asked
    assert fix_mojibake(text) == ftfy.fix_text(text, _ftfy()[1])
