"""The same input gives byte-identical output, whatever the hash seed."""

from tests.conftest import SEED


def test_classify_json_is_byte_identical_across_runs_and_hash_seeds(cli):
    outputs = {cli("classify", SEED, "--format", "json", "--level", "sentence",
                   env={"PYTHONHASHSEED": seed}).stdout for seed in ("0", "1", "12345")}
    assert len(outputs) == 1
    assert next(iter(outputs)).startswith(b"[")
