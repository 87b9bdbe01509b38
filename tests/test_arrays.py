"""The plain-array form of the shipped models: same scores as the skops estimators, and refused when tampered."""

import json

import numpy as np
import pytest

from analysis.articles import read_article
from analysis.corpus import load_corpus
from analysis.errors import InputError
from analysis.labelling import label_passages, scores_and_thresholds
from analysis.models import TRAINED_MODELS, arrays_path, get_model, model_path
from analysis.models.arrays import ArrayLevelModel, export_arrays, load_arrays
from analysis.models.store import load_model
from analysis.segment import segment
from tests.conftest import SEED


@pytest.fixture(scope="module")
def passages():
    import pandas as pd

    seed = segment(read_article(SEED), "paragraph")
    corpus = load_corpus().passages("paragraph").sample(120, random_state=1)
    return pd.concat([seed, corpus], ignore_index=True)


@pytest.mark.parametrize("name", TRAINED_MODELS)
def test_array_model_gives_the_skops_labels_and_scores(name, passages):
    fast = get_model(name)
    assert isinstance(fast, ArrayLevelModel)
    full = load_model(model_path(name))
    fast_scores, fast_thresholds = scores_and_thresholds(fast, passages)
    full_scores, full_thresholds = scores_and_thresholds(full, passages)
    assert np.abs(fast_scores - full_scores).max() <= 1e-9
    assert np.array_equal(fast_thresholds, full_thresholds)
    assert label_passages(passages, fast)["labels"].tolist() == label_passages(passages, full)["labels"].tolist()


@pytest.fixture(scope="module")
def sentences():
    import pandas as pd

    seed = segment(read_article(SEED), "sentence")
    corpus = load_corpus().passages("sentence")
    # whole articles, so that each sentence is read with its paragraph
    chosen = corpus[corpus["article"].isin(corpus["article"].drop_duplicates().sample(12, random_state=1))]
    return seed, pd.concat([seed.drop(columns="context"), chosen], ignore_index=True)


@pytest.mark.parametrize("name", TRAINED_MODELS)
def test_sentences_are_scored_from_the_arrays_as_by_the_skops_estimator(name, sentences):
    fast, full = get_model(name), load_model(model_path(name))
    assert fast.sentence is not None  # no skops file is read for them
    for table in sentences:
        fast_scores, fast_thresholds = scores_and_thresholds(fast, table)
        full_scores, full_thresholds = scores_and_thresholds(full, table)
        assert np.abs(fast_scores - full_scores).max() <= 1e-9
        assert np.array_equal(fast_scores >= fast_thresholds, full_scores >= full_thresholds)
    assert fast._estimator is None


def test_a_sentence_model_not_stored_as_arrays_goes_to_the_full_estimator(tmp_path, sentences):
    arrays = _arrays()
    spec = json.loads(arrays["spec"].tobytes())
    spec["sentence"] = None
    arrays = {key: value for key, value in arrays.items() if not key.startswith("s_")}
    arrays["spec"] = np.frombuffer(json.dumps(spec).encode(), dtype=np.uint8)
    np.savez(tmp_path / "paragraphs-only.npz", **arrays)
    fast = load_arrays(tmp_path / "paragraphs-only.npz", fallback=model_path("tfidf"))
    seed, _ = sentences
    assert np.array_equal(scores_and_thresholds(fast, seed)[0],
                          scores_and_thresholds(load_model(model_path("tfidf")), seed)[0])
    assert fast._estimator is not None


def test_murmurhash_is_scikit_learns():
    from sklearn.utils import murmurhash3_32 as reference

    from analysis.models.text_arrays import murmurhash3_32

    keys = ["", "a", "ab", "abc", "abcd", "abcde", "kyiv drone", "zaporizhzhia", "défense", "київ", "中文", "x" * 97]
    expected = [reference(key.encode("utf-8"), seed=0) for key in keys]
    assert murmurhash3_32([key.encode("utf-8") for key in keys]).tolist() == expected


def test_export_round_trip(tmp_path, passages):
    full = load_model(model_path("ensemble"))
    path = export_arrays(full, tmp_path / "m.npz")
    again = load_arrays(path, fallback=model_path("ensemble"))
    assert np.array_equal(again.predict_proba(passages), get_model("ensemble").predict_proba(passages))


def _arrays(name="tfidf") -> dict:
    with np.load(arrays_path(name), allow_pickle=False) as stored:
        return {key: stored[key] for key in stored.files}


def test_a_file_with_a_pickled_array_is_refused(tmp_path):
    arrays = _arrays()
    arrays["p_coef"] = np.array([{"not": "numbers"}], dtype=object)  # saved with pickle inside the .npy
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(InputError, match="not a plain-array model file") as caught:
        load_arrays(tmp_path / "bad.npz")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("change", ["extra", "missing", "spec", "dtype", "shape", "labels"])
def test_a_file_with_wrong_keys_or_arrays_is_refused(tmp_path, change):
    arrays = _arrays()
    if change == "extra":
        arrays["payload"] = np.zeros(3)
    elif change == "missing":
        del arrays["p_f0_idf"]
    elif change == "spec":
        del arrays["spec"]
    elif change == "dtype":
        arrays["p_f0_idf"] = arrays["p_f0_idf"].astype(str)
    elif change == "shape":
        arrays["p_coef"] = arrays["p_coef"][:, :-1]
    else:
        spec = json.loads(arrays["spec"].tobytes())
        spec["labels"] = ["a", "b", "c"]
        arrays["spec"] = np.frombuffer(json.dumps(spec).encode(), dtype=np.uint8)
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(InputError) as caught:
        load_arrays(tmp_path / "bad.npz")
    assert str(caught.value).startswith(str(tmp_path / "bad.npz")) and "\n" not in str(caught.value)


def test_not_an_npz_is_refused(tmp_path):
    (tmp_path / "x.npz").write_bytes(b"PK\x03\x04 nonsense")
    with pytest.raises(InputError):
        load_arrays(tmp_path / "x.npz")
