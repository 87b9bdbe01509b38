"""TF-IDF features in numpy: a vocabulary's or a hash's columns, weighted as scikit-learn weighs them.

Used by :mod:`analysis.models.arrays` so that the shipped models score text without scikit-learn;
``tests/test_arrays.py`` checks both against scikit-learn's own transforms.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import repeat

import numpy as np

from analysis.errors import InputError


def _strip_accents(text: str) -> str:
    """scikit-learn's ``strip_accents_unicode``."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class Tfidf:
    """``TfidfVectorizer.transform`` for the project's settings, as CSR arrays, in numpy."""

    def __init__(self, spec: dict, terms: np.ndarray, idf: np.ndarray):
        self.vocabulary = dict(zip(terms.tolist(), range(len(terms))))
        self._settings(spec, idf, len(terms))

    def _settings(self, spec: dict, idf: np.ndarray, width: int) -> None:
        self.idf = idf
        self.pattern = re.compile(spec["token_pattern"])
        self.min_n, self.max_n = spec["ngram_range"]
        self.sublinear = spec["sublinear_tf"]
        self.width = width
        self.column = spec.get("column", "text")
        if idf.shape != (width,):
            raise InputError(f"idf weights of shape {idf.shape} for {width} features")

    def _columns(self, grams: list[str]) -> np.ndarray:
        """The column of each n-gram; -1 for n-grams outside the vocabulary."""
        # One dictionary lookup per n-gram, in C.
        return np.fromiter(map(self.vocabulary.get, grams, repeat(-1)), dtype=np.int64, count=len(grams))

    def _ngrams(self, text: str) -> list[str]:
        tokens = self.pattern.findall(_strip_accents(text.lower()))
        grams = list(tokens) if self.min_n == 1 else []
        for n in range(max(self.min_n, 2), self.max_n + 1):
            # map/zip run in C: several times faster than joining slices one by one.
            grams += map(" ".join, zip(*(tokens[k:] for k in range(n))))
        return grams

    def transform(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row number, column and float32 value of every non-zero, rows in order, columns sorted."""
        unique = dict.fromkeys(texts)
        if len(unique) == len(texts):
            return self._transform(texts)
        # A sentence's paragraph comes once per sentence: weigh each text once, then copy its rows.
        rows, columns, data = self._transform(list(unique))
        owner = np.fromiter(map({text: i for i, text in enumerate(unique)}.get, texts), dtype=np.int64,
                            count=len(texts))
        lengths = np.bincount(rows, minlength=len(unique))
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        taken = lengths[owner]
        first = np.concatenate([[0], np.cumsum(taken)[:-1]])
        picks = np.arange(int(taken.sum())) + np.repeat(starts[owner] - first, taken)
        return np.repeat(np.arange(len(texts), dtype=np.int64), taken), columns[picks], data[picks]

    def _transform(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        grams, lengths = [], []
        for text in texts:
            found = self._ngrams(text)
            grams += found
            lengths.append(len(found))
        columns = self._columns(grams)
        rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        known = columns >= 0
        # Sorting row-major keys counts repeated n-grams and orders columns within rows, as CSR does.
        keys, counts = np.unique(rows[known] * self.width + columns[known], return_counts=True)
        rows, columns = keys // self.width, keys % self.width
        # The same float32 steps as scikit-learn, in the same order, so that scores agree to the last bits.
        data = counts.astype(np.float32)
        if self.sublinear:
            np.log(data, data)
            data += 1.0
        data *= self.idf[columns]
        squares = np.bincount(rows, weights=(data * data).astype(np.float64), minlength=len(texts))
        norms = np.sqrt(squares)
        norms[norms == 0] = 1.0
        data = (data.astype(np.float64) / norms[rows]).astype(np.float32)
        return rows, columns, data


class HashedTfidf(Tfidf):
    """``HashingVectorizer`` (counts, no alternating sign) then ``TfidfTransformer``, in numpy."""

    def __init__(self, spec: dict, idf: np.ndarray):
        self._settings(spec, idf, int(spec["n_features"]))

    def _columns(self, grams: list[str]) -> np.ndarray:
        unique = list(dict.fromkeys(grams))
        # abs() in int64: scikit-learn defines abs(-2**31) % n as the plain modulus.
        hashed = np.abs(murmurhash3_32([gram.encode("utf-8") for gram in unique]).astype(np.int64)) % self.width
        return np.fromiter(map(dict(zip(unique, hashed.tolist())).get, grams), dtype=np.int64, count=len(grams))


def murmurhash3_32(keys: list[bytes], seed: int = 0) -> np.ndarray:
    """MurmurHash3 (x86, 32 bit) of each key as signed int32, as ``sklearn.utils.murmurhash3_32`` gives it.

    Vectorised over the keys: block ``i`` of every key at least ``4 (i + 1)`` bytes long is mixed in at once.
    """
    if not keys:
        return np.zeros(0, dtype=np.int32)
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    width = int(-(-lengths.max() // 4) * 4) or 4
    data = np.zeros((len(keys), width), dtype=np.uint8)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    data[np.repeat(np.arange(len(keys)), lengths), np.arange(int(lengths.sum())) - np.repeat(starts, lengths)] = \
        np.frombuffer(b"".join(keys), dtype=np.uint8)
    blocks = data.view("<u4")
    c1, c2 = np.uint32(0xCC9E2D51), np.uint32(0x1B873593)

    def rotl(x, r):
        return (x << np.uint32(r)) | (x >> np.uint32(32 - r))

    h = np.full(len(keys), seed, dtype=np.uint32)
    whole = lengths // 4
    for i in range(blocks.shape[1]):
        k = rotl(blocks[:, i] * c1, 15) * c2
        mixed = rotl(h ^ k, 13) * np.uint32(5) + np.uint32(0xE6546B64)
        h = np.where(whole > i, mixed, h)
    tail_start, rest = whole * 4, lengths % 4
    k = np.zeros(len(keys), dtype=np.uint32)
    rows = np.arange(len(keys))
    for j in (2, 1, 0):
        # the tail bytes beyond a key's length are the zero padding, so they add nothing
        k ^= data[rows, np.minimum(tail_start + j, width - 1)].astype(np.uint32) * (rest > j) << np.uint32(8 * j)
    k = rotl(k * c1, 15) * c2
    h = np.where(rest > 0, h ^ k, h)
    h ^= lengths.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h.view(np.int32)
