import json

import pytest

EXPECTED = {
    "Work is under way": ["diplomacy"],
    "As the “coalition": ["diplomacy"],
    "Russia, meanwhile": ["diplomacy"],
    "Lavrov avoided": ["diplomacy"],
    "Analysts suggested": ["diplomacy"],
    "Drones attacked Kyiv": ["strikes"],
    "A “massive drone strike”": ["strikes"],
    "It was believed": ["incursions"],
    "Photograph:": [],
}


def _by_start(records):
    found = {}
    for prefix in EXPECTED:
        matches = [r for r in records if r["text"].startswith(prefix)]
        assert len(matches) == 1, prefix
        found[prefix] = matches[0]
    return found


def _classify_seed(cli, seed_path, model):
    args = ["classify", seed_path, "--format", "json"] + (["--model", model] if model else [])
    done = cli(*args)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# The default (trained) model adds `diplomacy` to the "It was believed ..." paragraph, which lists NATO
# members whose airspace was crossed: a known miss, reported in the closing note, checked separately below.
KNOWN_MISS = {None: {"It was believed"}, "keywords": set()}


@pytest.mark.parametrize("model", ["keywords", None])
def test_seed_paragraph_labels(cli, seed_path, model):
    records = _classify_seed(cli, seed_path, model)
    assert len(records) == 10
    for prefix, record in _by_start(records).items():
        if prefix not in KNOWN_MISS[model]:
            assert record["labels"] == EXPECTED[prefix], (prefix, record["scores"])
    poland = next(r for r in records if r["text"].startswith("A Russian military drone exploded"))
    assert poland["labels"] in (["incursions"], ["diplomacy", "incursions"])
    for record in records:
        assert set(record) == {"article", "index", "start", "end", "text", "labels", "scores"}
        assert all(0.0 <= v <= 1.0 for v in record["scores"].values())


def test_default_model_on_the_nato_paragraph(cli, seed_path):
    records = _classify_seed(cli, seed_path, None)
    assert _by_start(records)["It was believed"]["labels"] == ["incursions"]


def test_sentence_level_offsets(cli, seed_path):
    done = cli("classify", seed_path, "--level", "sentence", "--format", "json")
    records = json.loads(done.stdout)
    text = seed_path.read_text(encoding="utf-8")
    assert 28 <= len(records) <= 30
    assert all(text[r["start"] : r["end"]] == r["text"] for r in records)


def test_table_and_csv(cli, seed_path):
    table = cli("classify", seed_path)
    assert table.returncode == 0
    assert "10 passages:" in table.stdout.decode()
    csv = cli("classify", seed_path, "--format", "csv", "--model", "keywords").stdout.decode()
    assert csv.splitlines()[0].startswith("article,level,index,paragraph,start,end,text,labels")
    assert len(csv.strip().splitlines()) > 10


def test_help(cli):
    done = cli("--help")
    assert done.returncode == 0
    assert b"classify" in done.stdout
    assert cli("classify", "--help").returncode == 0


def _assert_one_line_error(done, fragment):
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert fragment in stderr


def test_error_paths(cli, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    _assert_one_line_error(cli("classify", tmp_path / "missing.txt"), "no such file")
    _assert_one_line_error(cli("classify", tmp_path / "empty.txt"), "empty")
    _assert_one_line_error(cli("classify", tmp_path / "image.png"), "PNG image")
    _assert_one_line_error(cli("classify", tmp_path), "is a directory")
    _assert_one_line_error(cli("classify", tmp_path / "empty.txt", "--model", "nonsense"), "")
    bad_model = cli("classify", "seeds/000_a59dc000b14f99a5.txt", "--model", "nonsense")
    _assert_one_line_error(bad_model, "unknown model")


def test_output_file_is_never_overwritten(cli, seed_path, tmp_path):
    out = tmp_path / "out.json"
    out.write_text("precious")
    _assert_one_line_error(cli("classify", seed_path, "-o", out, "--format", "json"), "already exists")
    assert out.read_text() == "precious"
    assert cli("classify", seed_path, "-o", out, "--format", "json", "--force").returncode == 0
    assert json.loads(out.read_text())[1]["labels"] == ["diplomacy"]


def test_stdin(cli):
    done = cli("classify", "-", "--format", "json", "--model", "keywords",
               input_bytes=b"Missiles struck Kharkiv overnight, killing two people.")
    assert done.returncode == 0
    assert json.loads(done.stdout)[0]["labels"] == ["strikes"]


def test_default_model_on_seed_sentences_matches_gold(cli, seed_path):
    import csv

    with open(seed_path.with_name(seed_path.stem + ".labels.csv"), encoding="utf-8") as stream:
        gold = {(int(r["start"]), int(r["end"])): [x for x in r["labels"].split(";") if x]
                for r in csv.DictReader(stream) if r["level"] == "sentence"}
    done = cli("classify", seed_path, "--level", "sentence", "--format", "json")
    records = json.loads(done.stdout)
    wrong = [r["text"][:50] for r in records if r["labels"] != gold[(r["start"], r["end"])]]
    assert not wrong
