"""The one sanitiser and the one title normaliser: what they promise on any text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.text import clean, normalise, one_line, printable, title_key, word_breaks

UNPRINTABLE_BUT_KEPT = re.compile("[\u200b\u200d\u00ad]")  # zero-width and soft hyphen: data
TERMINAL_ACTS_ON = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
HOSTILE = st.text(
    alphabet=st.sampled_from(
        "ab é[]31m;0\x1b\x07\x9b\x9c\x9d\x00\x7f\t\n\r\x0b\xa0\u2003\u2028\u202e\u2066\u200b"
    ),
    max_size=40,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain title", "plain title"),
        ("  two\t\tlines\nhere ", "two lines here"),
        ("A \x1b[31mred\x1b[0m word", "A red word"),
        ("before \x1b]0;window title\x07after", "before after"),
        ("link \x1b]8;;http://evil\x1b\\text\x1b]8;;\x1b\\", "link text"),
        ("eight-bit \x9b2J csi", "eight-bit csi"),
        ("bidi \u202eesrever\u202c mark \u200f", "bidi esrever mark"),
        ("nul\x00byte and bell\x07", "nulbyte and bell"),
        ("Cafe\u0301 \u200bzero width", "Cafe\u0301 \u200bzero width"),
    ],
)
def test_one_line(raw: str, expected: str) -> None:
    assert one_line(raw) == expected


def test_one_line_caps_length_after_cleaning() -> None:
    assert one_line("\x1b[31m" + "x" * 50, limit=10) == "x" * 10


@settings(max_examples=500, deadline=None)
@given(HOSTILE)
def test_one_line_leaves_nothing_a_terminal_acts_on(text: str) -> None:
    line = one_line(text)
    assert UNPRINTABLE_BUT_KEPT.sub("", line).isprintable()
    assert "  " not in line and line == line.strip()
    assert one_line(line) == line


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf")), max_size=60))
def test_one_line_of_text_without_controls_only_folds_whitespace(text: str) -> None:
    """The fast path for clean text and the slow path agree with plain word splitting."""
    assert one_line(text) == " ".join(text.split())


@settings(max_examples=300, deadline=None)
@given(HOSTILE)
def test_clean_keeps_lines_only_when_asked(text: str) -> None:
    single = clean(text)
    assert not TERMINAL_ACTS_ON.search(single)
    several = clean(text, multiline=True)
    assert not TERMINAL_ACTS_ON.search(several.replace("\n", "").replace("\t", ""))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf")), max_size=60))
def test_clean_returns_text_without_controls_as_it_is(text: str) -> None:
    assert clean(text) == text and clean(text, multiline=True) == text


def test_title_key_ignores_case_and_spacing_only() -> None:
    assert title_key("Sparse  Attention\n") == title_key("sparse attention")
    assert title_key("Sparse-Attention") != title_key("sparse attention")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("GPT-4: a Study", "gpt 4 a study"),
        ("PointNet++ (v2)", "pointnet++ v2"),
        ("snake_case \u201cquoted\u201d \u2014 dash", "snake case quoted dash"),
        ("Sim\u2192Real \u00d7 2", "sim real 2"),
        ("ÉTUDE Straße", "etude strasse"),  # accents fold for matching (issue 18)
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_plus_is_part_of_a_word() -> None:
    assert "+" not in word_breaks() and {"-", "_", "\u2019", "\u2192"} <= word_breaks()


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_printable_is_isprintable(text: str) -> None:
    """The quick check of ASCII text answers exactly what `str.isprintable` does."""
    assert printable(text) == text.isprintable()


def test_printable_on_every_ascii_character() -> None:
    for code in range(0x80):
        assert printable(f"ab{chr(code)}cd") == chr(code).isprintable(), code
