"""The language of an article's text, by py3langid's classifier (trained on 97 languages, no download)."""
from __future__ import annotations

from functools import lru_cache

_MIN_CHARS = 40  # below this, a guess is noise
_SAMPLE_CHARS = 400  # enough for a sure guess on running text; the classifier is linear in it


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the language ``text`` is written in, or None for too little text."""
    sample = " ".join(text[:_SAMPLE_CHARS].split())
    if len(sample) < _MIN_CHARS:
        return None
    code, probability = _identifier().classify(sample)
    return code if probability >= 0.5 else None


def normal_code(value: str | None) -> str | None:
    """'de-DE', 'de_AT', 'DE' -> 'de'; None for what is no language code."""
    if not value:
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if len(code) == 2 and code.isalpha() else None
