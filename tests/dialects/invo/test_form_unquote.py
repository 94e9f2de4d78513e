"""INVO's form bodies are unquoted in C (dialects.invo.parse.form_unquote): the text must be urllib's own."""
from __future__ import annotations

from urllib.parse import quote, unquote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialects.invo.parse import form_unquote

# The characters that matter to an unquote: escapes whole and broken, hex of either case, plus signs,
# backslashes (the codec's own escape character), escapes of invalid UTF-8, and text that is not ASCII.
_PIECES = st.sampled_from(["%", "%2", "%2B", "%2b", "%zz", "%5C", "%5c", "%e2%82", "%e2%82%ac", "%ff", "%C5%BC",
                           "+", "\\", "\\x41", "\\n", "\\u0041", "a", "Z", "0", "{", '"', "&", "=", "ż", "€", " "])


@given(st.lists(_PIECES, max_size=40).map("".join))
@settings(max_examples=600, deadline=None)
def test_form_unquote_is_urllibs_unquote_plus_for_any_mix_of_escapes(text: str) -> None:
    assert form_unquote(text) == unquote_plus(text)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_form_unquote_reverses_quote_for_any_text(text: str) -> None:
    quoted = quote(text, safe="")
    assert form_unquote(quoted) == unquote_plus(quoted)


@pytest.mark.parametrize("text", ["q=%7B%22a%22%3A1%7D", "a+b%2Bc", "100%", "%4", "x%zzy", "\\x41%41", "ż%C5%BC"])
def test_form_unquote_of_known_forms(text: str) -> None:
    assert form_unquote(text) == unquote_plus(text)
