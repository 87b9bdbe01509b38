"""The columns a level-aware model reads, built without scikit-learn."""

from __future__ import annotations

import pandas as pd


def model_input(passages: pd.DataFrame) -> pd.DataFrame:
    """The ``text``, ``context`` and ``level`` columns a :class:`LevelModel` reads.

    ``context`` is the passage's paragraph: taken from a ``context`` column when the passages
    have one, else rebuilt from the sentences of the same article and paragraph; for a
    paragraph it is the paragraph itself.
    """
    texts = passages["text"].astype(str).reset_index(drop=True)
    levels = (passages["level"].astype(str) if "level" in passages else pd.Series("paragraph", index=passages.index))
    levels = levels.reset_index(drop=True)
    if "context" in passages:
        context = passages["context"].astype(str).reset_index(drop=True)
    elif {"article", "paragraph"} <= set(passages.columns):
        keys = list(zip(passages["article"], passages["paragraph"]))
        joined: dict = {}
        for key, text in zip(keys, texts):
            joined.setdefault(key, []).append(text)
        context = pd.Series([" ".join(joined[key]) for key in keys])
    else:
        context = texts
    context = context.where(levels == "sentence", texts)
    return pd.DataFrame({"text": texts, "context": context, "level": levels})
