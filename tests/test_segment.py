from analysis.articles import Article, read_article
from analysis.segment import is_boilerplate, paragraph_spans, segment, sentence_spans


def test_seed_paragraphs_round_trip(seed_path):
    article = read_article(seed_path)
    passages = segment(article, "paragraph")
    assert len(passages) == 10
    for row in passages.itertuples():
        assert article.text[row.start : row.end] == row.text
    assert passages["text"].iloc[1].startswith("Work is under way")
    assert passages["boilerplate"].tolist() == [True] + [False] * 9


def test_seed_sentences(seed_path):
    article = read_article(seed_path)
    sentences = segment(article, "sentence")
    assert 28 <= len(sentences) <= 30
    for row in sentences.itertuples():
        assert article.text[row.start : row.end] == row.text
    warsaw = sentences[sentences["text"].str.contains("Warsaw")]
    assert len(warsaw) == 1
    assert "about 100km (60 miles) from Warsaw" in warsaw["text"].iloc[0]
    assert warsaw["text"].iloc[0].startswith("The explosion was in a cornfield")
    assert sentences["paragraph"].max() == 9


def test_blank_lines_and_single_newlines_give_the_same_paragraphs():
    single = "First paragraph here.\nSecond one.\nThird."
    double = "First paragraph here.\n\nSecond one.\n\n\nThird.\n"
    assert [single[s:e] for s, e in paragraph_spans(single)] == [double[s:e] for s, e in paragraph_spans(double)]


def test_hard_wrapped_paragraphs_are_joined():
    text = "Line one of the first\nparagraph continues.\n\nSecond paragraph line one\nand line two.\n"
    spans = paragraph_spans(text)
    assert len(spans) == 2
    assert text[spans[0][0] : spans[0][1]] == "Line one of the first\nparagraph continues."


def test_sentences_tile_the_paragraph():
    text = "  Dr. Smith met Mr. Jones in Kyiv. They talked for 3.5 hours!  Then   they left? Yes.  "
    spans = sentence_spans(text, 2, len(text) - 2)
    assert spans[0][0] == 2 and spans[-1][1] == len(text) - 2
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert text[end:start].strip() == ""
    assert text[spans[0][0] : spans[0][1]] == "Dr. Smith met Mr. Jones in Kyiv."


def test_boilerplate_detection():
    assert is_boilerplate("Photograph: Maksym Kishka/Reuters")
    assert is_boilerplate("By Jane Doe in Kyiv")
    assert is_boilerplate("Additional reporting by Ivan Petrov")
    assert not is_boilerplate("Photograph: Smoke rises over the Novoshakhtinsk refinery after a Ukrainian drone "
                              "attack on Thursday morning, local officials said")
    assert not is_boilerplate("By Wednesday evening the fires had been put out.")


def test_empty_article_has_no_passages():
    assert segment(Article(id="x", text="\n \n"), "sentence").empty
