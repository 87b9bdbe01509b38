"""Property tests (hypothesis): offsets, tiling, never-raise and parseable output for any text."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.articles import Article
from analysis.formats import to_json
from analysis.labelling import label_passages
from analysis.models import get_model
from analysis.segment import segment

KEYWORDS = get_model("keywords")
# Text with the characters that trouble splitters: newlines, quotes, dots, digits, scripts, emoji.
TEXT = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs",)),
                       st.sampled_from(list(" \n\n\t.?!”“\"'…—-()0123456789 Mr. Dr. km."))),
    max_size=400,
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(TEXT)
def test_offsets_round_trip(text):
    article = Article(id="a", text=text)
    for level in ("paragraph", "sentence"):
        for row in segment(article, level).itertuples():
            assert text[row.start : row.end] == row.text
            assert row.text.strip() == row.text and row.text


@SETTINGS
@given(TEXT)
def test_sentences_tile_their_paragraph(text):
    article = Article(id="a", text=text)
    paragraphs = segment(article, "paragraph")
    sentences = segment(article, "sentence")
    for number, paragraph in enumerate(paragraphs.itertuples()):
        inside = sentences[sentences["paragraph"] == number]
        assert inside["start"].iloc[0] == paragraph.start
        assert inside["end"].iloc[-1] == paragraph.end
        for end, start in zip(inside["end"].iloc[:-1], inside["start"].iloc[1:]):
            assert start >= end and text[end:start].strip() == ""


@SETTINGS
@given(TEXT)
def test_classify_never_raises_and_json_parses(text):
    labelled = label_passages(segment(Article(id="a", text=text), "sentence"), KEYWORDS)
    records = json.loads(to_json(labelled))
    assert len(records) == len(labelled)
    for record in records:
        assert set(record["labels"]) <= {"diplomacy", "strikes", "incursions"}
        assert all(0.0 <= score <= 1.0 for score in record["scores"].values())
