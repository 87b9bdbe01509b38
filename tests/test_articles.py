import codecs
import warnings

import pytest

from analysis.articles import MAX_ARTICLE_BYTES, read_article, read_passages
from analysis.errors import InputError

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ZIP = b"PK\x03\x04" + b"\x00" * 64


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b" \n\t\n  ", "empty"),
        ("image.txt", PNG, "PNG image"),
        ("archive.txt", ZIP, "zip archive"),
        ("latin.txt", "Kraków - bombardé".encode("latin-1"), "not valid utf-8"),
    ],
)
def test_bad_files_raise_input_error(tmp_path, name, data, message):
    with pytest.raises(InputError, match=message):
        read_article(_write(tmp_path, name, data))


def test_missing_and_directory(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        read_article(tmp_path)


def test_latin1_with_explicit_encoding(tmp_path):
    path = _write(tmp_path, "latin.txt", "Missiles struck Kraków’s outskirts, officials said.".encode("cp1252"))
    assert "Kraków" in read_article(path, encoding="cp1252").text


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_byte_order_marks(tmp_path, bom):
    text = "Drones attacked Kyiv overnight, the air force said."
    codec = {codecs.BOM_UTF8: "utf-8", codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}[bom]
    article = read_article(_write(tmp_path, "bom.txt", bom + text.encode(codec)))
    assert article.text == text


def test_html_main_text_is_extracted(tmp_path):
    html = (
        "<!doctype html><html><head><title>x</title></head><body><nav>Home | World | Sport</nav>"
        "<article><h1>Drones hit Odesa</h1><p>A drone attack on the port of Odesa injured two people and "
        "set a grain warehouse on fire, the regional governor said on Tuesday morning.</p>"
        "<p>Poland scrambled fighter jets as Russian drones flew close to its border during the night, "
        "the operational command said.</p></article><footer>Copyright</footer></body></html>"
    )
    article = read_article(_write(tmp_path, "page.html", html.encode()))
    assert "grain warehouse" in article.text
    assert "<p>" not in article.text


def test_oversized_file(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as stream:
        stream.truncate(MAX_ARTICLE_BYTES + 1)
    with pytest.raises(InputError, match="too large"):
        read_article(path)


def test_non_english_warns(tmp_path):
    path = _write(tmp_path, "de.txt", b"Russische Drohnen griffen in der Nacht Kiew an, teilte die Luftwaffe mit. "
                  b"Drei Menschen wurden verletzt.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_article(path)
    assert any("English" in str(w.message) for w in caught)


def test_passages_files(tmp_path):
    jsonl = _write(tmp_path, "p.jsonl", b'{"id": "a1", "text": "Missiles hit Kharkiv."}\n\n{"text": "Talks."}\n')
    frame = read_passages(jsonl)
    assert frame["text"].tolist() == ["Missiles hit Kharkiv.", "Talks."]
    assert frame["end"].tolist() == [21, 6]
    csv = _write(tmp_path, "p.csv", b"id,text\n1,Drones hit Lviv.\n")
    assert read_passages(csv)["id"].tolist() == ["1"]
    with pytest.raises(InputError, match="no 'text' column"):
        read_passages(_write(tmp_path, "q.csv", b"id,body\n1,x\n"))
    with pytest.raises(InputError, match=":2: not a JSON object"):
        read_passages(_write(tmp_path, "bad.jsonl", b'{"text": "a"}\n{oops\n'))


def test_an_article_has_one_typed_date_parsed_where_it_is_read(tmp_path):
    from datetime import date

    from analysis.articles import Article, read_article, with_date
    from tests.conftest import SEED

    seed = read_article(SEED)
    assert seed.date == date.fromisoformat(seed.meta["date"]) and type(seed.date) is date
    undated = with_date(seed, None)
    assert undated.date is None and undated.meta["date"] is None and undated.meta["title"] == seed.meta["title"]
    redated = with_date(undated, "2025-08-22")
    assert redated.date == date(2025, 8, 22) and redated.meta["date"] == "2025-08-22"
    # built in code: from the metadata's ISO text, or given as a date (the metadata then says the same day)
    assert Article(id="a", text="x", meta={"date": "2025-08-21"}).date == date(2025, 8, 21)
    assert Article(id="a", text="x", meta={"date": "2025-08-21T06:00:00"}).date == date(2025, 8, 21)
    assert Article(id="a", text="x", date=date(2025, 8, 21)).meta == {"date": "2025-08-21"}
    for unreadable in (None, "", "last Tuesday", float("nan")):
        assert Article(id="a", text="x", meta={"date": unreadable}).date is None


def test_no_stage_parses_the_article_date_again():
    """Stages read ``Article.date``; only analysis/articles.py reads ``meta["date"]`` (docstrings aside)."""
    import ast

    from tests.conftest import ROOT

    def is_meta(node) -> bool:  # article.meta, or (article.meta or {})
        if isinstance(node, ast.BoolOp):
            return any(is_meta(value) for value in node.values)
        return isinstance(node, ast.Attribute) and node.attr == "meta"

    def reads_date(node) -> bool:
        if isinstance(node, ast.Subscript):
            return is_meta(node.value) and isinstance(node.slice, ast.Constant) and node.slice.value == "date"
        return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                and is_meta(node.func.value) and bool(node.args) and isinstance(node.args[0], ast.Constant)
                and node.args[0].value == "date")

    offenders = [path.relative_to(ROOT).as_posix() for path in (ROOT / "analysis").rglob("*.py")
                 if path.name != "articles.py"
                 and any(map(reads_date, ast.walk(ast.parse(path.read_text(encoding="utf-8")))))]
    assert offenders == []
