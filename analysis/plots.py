"""Figures over labelled passages and evaluation results (matplotlib, no state kept)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.codebook import LABELS
from analysis.labelling import SCORE_COLUMNS

LABEL_COLOURS = {"diplomacy": "#3a6ea5", "strikes": "#c0392b", "incursions": "#e69f00", "other": "#9e9e9e"}


def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def label_counts(labelled: pd.DataFrame, ax=None):
    """Bar chart: how many passages carry each label (and how many none)."""
    ax = _axes(ax, (5, 3))
    names = list(LABELS) + ["other"]
    counts = [sum(label in row for row in labelled["labels"]) for label in LABELS]
    counts.append(sum(not row for row in labelled["labels"]))
    ax.bar(names, counts, color=[LABEL_COLOURS[n] for n in names])
    for x, n in enumerate(counts):
        ax.text(x, n, str(n), ha="center", va="bottom")
    ax.set_ylabel("passages")
    ax.set_title("Passages per label")
    ax.margins(y=0.15)
    return ax


def topic_strip(labelled: pd.DataFrame, ax=None, show_scores: bool = True):
    """One row per label along the article: filled where the label holds.

    With ``show_scores`` the cell's transparency follows the model's score, so
    near-misses are visible as faint cells.
    """
    n = len(labelled)
    ax = _axes(ax, (max(6, 0.35 * n), 2.2))
    chosen = np.array([[label in row for label in LABELS] for row in labelled["labels"]]).reshape(n, -1)
    scores = labelled[SCORE_COLUMNS].to_numpy() if show_scores else chosen.astype(float)
    for row, label in enumerate(LABELS):
        for x in range(n):
            alpha = 1.0 if chosen[x, row] else 0.35 * float(scores[x, row])
            if alpha > 0.01:
                ax.add_patch(plt.Rectangle((x, row), 0.92, 0.85, color=LABEL_COLOURS[label], alpha=alpha))
    ax.set_xlim(0, n)
    ax.set_ylim(len(LABELS), -0.15)
    ax.set_yticks(np.arange(len(LABELS)) + 0.42, LABELS)
    step = max(1, n // 20)
    ax.set_xticks(np.arange(0, n, step) + 0.46, [str(i) for i in range(0, n, step)])
    ax.set_xlabel(f"{labelled['level'].iloc[0] if 'level' in labelled and n else 'passage'} in reading order")
    ax.set_title("Topic strip")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
