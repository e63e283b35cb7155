"""generator/jsontext.py writes the text that json.dumps(indent=2, ensure_ascii=False) writes, faster."""
from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import jsontext

LEAVES = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
          | st.text(alphabet=st.characters(), max_size=20))
JSONISH = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                       | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(JSONISH, st.sampled_from(["", "    ", "\t"]))
def test_the_same_text_as_json_dumps(data: object, prefix: str) -> None:
    plain = json.dumps(data, ensure_ascii=False, indent=2)
    assert jsontext.dumps(data, prefix) == plain.replace("\n", "\n" + prefix)


def test_what_json_alone_handles_goes_to_json() -> None:
    data = {"a": [1, {2: "zwei", None: math.inf, 1.5: True}], "ß": "\u2028<&>\"\n"}
    assert jsontext.dumps(data) == json.dumps(data, ensure_ascii=False, indent=2)
    with pytest.raises(TypeError):
        jsontext.dumps({"when": object()})
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError):
        jsontext.dumps(loop)
