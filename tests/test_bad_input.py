"""Bad-input battery: each case through the CLI (one-line error, exit 2, or a correct result)."""

import codecs
import io
import json
import os
import zipfile
from pathlib import Path

import pytest

from analysis.errors import InputError
from analysis.files import check_writable
from analysis.models.store import load_model, save_model

GOOD = "Russian drones struck the city of Sumy overnight, wounding four people, the regional governor said."


def _fails(done, fragment):
    stderr = done.stderr.decode()
    assert done.returncode == 2, (done.returncode, stderr)
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert fragment.lower() in stderr.lower(), stderr


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", GOOD)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("blank.txt", b"   \n\n\t \n", "empty"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(200), "PNG image"),
        ("archive.txt", _zip_bytes(), "zip archive"),
        ("latin.txt", "Les drones ont frappé Kharkiv, a déclaré le maire.".encode("latin-1"), "not valid utf-8"),
        ("no-text.csv", b"id,body\n1,hello\n", "no 'text' column"),
        ("no-text.jsonl", b'{"id": 1, "body": "hello"}\n', "no 'text' column"),
    ],
)
def test_bad_files(cli, tmp_path, name, data, fragment):
    path = tmp_path / name
    path.write_bytes(data)
    _fails(cli("classify", path), fragment)


def test_utf16_with_bom_is_read(cli, tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + GOOD.encode("utf-16-le"))
    done = cli("classify", path, "--format", "json", "--model", "keywords")
    assert done.returncode == 0
    assert json.loads(done.stdout)[0]["labels"] == ["strikes"]


def test_latin1_with_encoding_option(cli, tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes(GOOD.replace("Sumy", "Sumy’s outskirts").encode("cp1252"))
    done = cli("classify", path, "--encoding", "cp1252", "--format", "json", "--model", "keywords")
    assert done.returncode == 0
    assert "Sumy’s" in json.loads(done.stdout)[0]["text"]


def test_html_page_is_extracted_then_classified(cli, tmp_path):
    page = (f"<html><head><title>t</title></head><body><nav>Menu Home Sport</nav><article><p>{GOOD}</p>"
            "<p>Poland's foreign ministry summoned the Russian charge d'affaires over the drone that entered "
            "Polish airspace near Lublin.</p></article></body></html>")
    path = tmp_path / "page.html"
    path.write_text(page)
    done = cli("classify", path, "--format", "json", "--model", "keywords")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert [r["labels"] for r in records] == [["strikes"], ["diplomacy", "incursions"]]
    assert all("<" not in r["text"] for r in records)


def test_huge_file_is_refused(cli, tmp_path):
    path = tmp_path / "huge.txt"
    line = (GOOD + "\n").encode()
    with open(path, "wb") as stream:
        stream.write(line * (50 * 1024 * 1024 // len(line) + 1))
    _fails(cli("classify", path), "too large")


def test_one_enormous_paragraph(cli, tmp_path):
    path = tmp_path / "long.txt"
    words = (GOOD + " ").split() * (100_000 // len(GOOD.split()) + 1)
    path.write_text(" ".join(words[:100_000]))
    done = cli("classify", path, "--format", "json", "--model", "tfidf")
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert len(records) == 1 and records[0]["labels"] == ["strikes"]


def test_non_english_gives_result_and_warning(cli, tmp_path):
    path = tmp_path / "uk.txt"
    path.write_text("Російські дрони атакували Київ уночі, повідомили у Повітряних силах. Троє людей "
                    "поранені, пошкоджено житловий будинок і школу у Святошинському районі міста.")
    done = cli("classify", path, "--format", "json", "--model", "keywords")
    assert done.returncode == 0
    assert json.loads(done.stdout)
    assert done.stderr.decode().startswith("warning:")


def test_directory_and_missing(cli, tmp_path):
    _fails(cli("classify", tmp_path), "is a directory")
    _fails(cli("classify", tmp_path / "nope.txt"), "no such file")


def test_unknown_label_in_corpus_labels(cli, tmp_path):
    import shutil

    from tests.conftest import ROOT

    copy = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", copy, ignore=shutil.ignore_patterns("cache", "blind"))
    labels = (copy / "labels.csv").read_text().replace(",strikes\n", ",strikes;shelling\n", 1)
    (copy / "labels.csv").write_text(labels)
    _fails(cli("corpus", "--corpus", copy), "labels failed isin")


def test_truncated_and_untrusted_model_files(cli, tmp_path, seed_path):
    from analysis.models import model_path

    truncated = tmp_path / "cut.skops"
    truncated.write_bytes(model_path("tfidf").read_bytes()[:5000])
    _fails(cli("classify", seed_path, "--model", truncated), "not a readable skops model file")
    with pytest.raises(InputError):
        load_model(truncated)

    from sklearn.preprocessing import FunctionTransformer

    evil = tmp_path / "evil.skops"
    save_model(FunctionTransformer(func=os.system), evil)
    _fails(cli("classify", seed_path, "--model", evil), "refusing to load untrusted types")
    with pytest.raises(InputError, match="posix.system|os.system"):
        load_model(evil)


def test_existing_output_is_kept(cli, tmp_path, seed_path):
    out = tmp_path / "out.csv"
    out.write_text("mine")
    _fails(cli("classify", seed_path, "--format", "csv", "-o", out), "already exists")
    assert out.read_text() == "mine"


def test_unwritable_output_directory(cli, seed_path, tmp_path):
    if os.geteuid() == 0:
        target = Path("/proc/war-passages-out.json")  # read-only even for root
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        target = locked / "out.json"
    with pytest.raises(InputError, match="not writable"):
        check_writable(target)
    _fails(cli("classify", seed_path, "--format", "json", "-o", target), "not writable")
