"""Figures over labelled passages and evaluation results (matplotlib, no state kept)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis.codebook import LABELS
from analysis.labelling import frame_labels, score_columns

LABEL_COLOURS = {"diplomacy": "#3a6ea5", "strikes": "#c0392b", "incursions": "#e69f00", "other": "#9e9e9e"}
# Colours for a user's own labels, in the order the model lists them.
USER_COLOURS = ("#1b9e77", "#7570b3", "#d95f02", "#e7298a", "#66a61e", "#a6761d", "#1f78b4", "#b15928")


def label_colours(labels) -> dict[str, str]:
    """A colour per label (and ``other``): the codebook's own, else one of :data:`USER_COLOURS` in turn."""
    spare = iter(c for c in USER_COLOURS * (len(labels) // len(USER_COLOURS) + 1))
    colours = {label: LABEL_COLOURS.get(label) or next(spare) for label in labels}
    colours["other"] = LABEL_COLOURS["other"]
    return colours


def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def label_counts(labelled: pd.DataFrame, ax=None):
    """Bar chart: how many passages carry each label (and how many none)."""
    ax = _axes(ax, (5, 3))
    labels = frame_labels(labelled)
    colours = label_colours(labels)
    names = list(labels) + ["other"]
    counts = [sum(label in row for row in labelled["labels"]) for label in labels]
    counts.append(sum(not row for row in labelled["labels"]))
    ax.bar(names, counts, color=[colours[n] for n in names])
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
    labels = frame_labels(labelled)
    colours = label_colours(labels)
    ax = _axes(ax, (max(6, 0.35 * n), 2.2))
    chosen = np.array([[label in row for label in labels] for row in labelled["labels"]]).reshape(n, -1)
    scores = labelled[score_columns(labels)].to_numpy() if show_scores else chosen.astype(float)
    for row, label in enumerate(labels):
        for x in range(n):
            alpha = 1.0 if chosen[x, row] else 0.35 * float(scores[x, row])
            if alpha > 0.01:
                ax.add_patch(plt.Rectangle((x, row), 0.92, 0.85, color=colours[label], alpha=alpha))
    ax.set_xlim(0, n)
    ax.set_ylim(len(labels), -0.15)
    ax.set_yticks(np.arange(len(labels)) + 0.42, labels)
    step = max(1, n // 20)
    ax.set_xticks(np.arange(0, n, step) + 0.46, [str(i) for i in range(0, n, step)])
    ax.set_xlabel(f"{labelled['level'].iloc[0] if 'level' in labelled and n else 'passage'} in reading order")
    ax.set_title("Topic strip")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax


def label_theatre_heatmap(table: pd.DataFrame, ax=None):
    """Heat map of the share of each theatre's passages carrying each label."""
    columns = [*LABELS, "other"]
    shares = table[columns].div(table["passages"], axis=0)
    ax = _axes(ax, (6, 0.4 * len(shares) + 1.2))
    image = ax.imshow(shares.to_numpy(), cmap="Blues", vmin=0, vmax=max(0.6, float(shares.max().max())))
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(shares)), [f"{t} ({n})" for t, n in zip(shares.index, table["passages"])])
    for (i, j), value in np.ndenumerate(shares.to_numpy()):
        ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=8,
                color="white" if value > 0.45 else "black")
    ax.figure.colorbar(image, ax=ax, label="share of passages")
    ax.set_title("Labels by theatre (paragraphs)")
    return ax


def length_histogram(paragraphs: pd.DataFrame, sentences: pd.DataFrame, ax=None):
    """Distribution of passage lengths in words, paragraphs and sentences overlaid."""
    ax = _axes(ax, (6, 3))
    bins = np.arange(0, 161, 5)
    for frame, name in ((paragraphs, "paragraphs"), (sentences, "sentences")):
        words = frame["text"].str.split().str.len().clip(upper=160)
        ax.hist(words, bins=bins, alpha=0.6, label=f"{name} (median {int(words.median())})")
    ax.set_xlabel("words (160 = 160 or more)")
    ax.set_ylabel("passages")
    ax.legend()
    ax.set_title("Passage lengths")
    return ax


def kappa_bars(paragraph: dict, sentence: dict, ax=None, bar: float = 0.8):
    """Cohen's kappa per label at both levels, with the 0.8 bar."""
    ax = _axes(ax, (5, 3))
    x = np.arange(len(LABELS))
    ax.bar(x - 0.2, [paragraph.get(label, 0) for label in LABELS], 0.4, label="paragraph")
    ax.bar(x + 0.2, [sentence.get(label, 0) for label in LABELS], 0.4, label="sentence")
    ax.axhline(bar, color="black", linestyle="--", linewidth=1, label=f"bar ({bar})")
    ax.set_xticks(x, LABELS)
    ax.set_ylim(0, 1)
    ax.set_ylabel("Cohen's kappa")
    ax.legend(loc="lower right")
    ax.set_title("Agreement between annotation passes")
    return ax


def f1_bars(results: dict, protocol: str = "test", ax=None):
    """Grouped bars: F1 per label (and macro-F1) for each model under one protocol."""
    models = [name for name, r in results["models"].items() if protocol in r]
    groups = [*LABELS, "macro"]
    ax = _axes(ax, (8, 3.2))
    width = 0.8 / max(len(models), 1)
    for k, name in enumerate(models):
        result = results["models"][name][protocol]
        values = [result["labels"][label]["f1"] for label in LABELS] + [result["macro_f1"]]
        ax.bar(np.arange(len(groups)) + (k - (len(models) - 1) / 2) * width, values, width, label=name)
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylim(0, 1)
    ax.set_ylabel("F1")
    ax.set_title(f"F1 per label ({protocol})")
    ax.legend(ncol=len(models), fontsize=8, loc="lower center")
    return ax


EVENT_FIELDS = ("killed", "wounded", "place", "weapon", "date", "attacker")
#: Issue 16's targets on the blind test half, set against annotator agreement; fields without one get no mark.
EVENT_TARGETS = {"events": 0.75, "killed": 0.80, "wounded": 0.80, "place": 0.70, "weapon": 0.70}


def event_field_bars(results: dict, agreement: dict | None = None, targets: dict | None = None, ax=None):
    """Grouped bars: events F1 and F1 per field for each gold set, with annotator agreement as marks.

    ``results`` maps a split name to an :func:`analysis.events.evaluation.evaluate_events` result;
    ``targets`` maps a group to its target F1, drawn as a dotted line over its bars
    (default :data:`EVENT_TARGETS`; ``{}`` draws none).
    """
    targets = EVENT_TARGETS if targets is None else targets
    groups = ["events", *EVENT_FIELDS]
    ax = _axes(ax, (9, 3.4))
    width = 0.8 / max(len(results), 1)
    for k, (split, result) in enumerate(results.items()):
        values = [result["events"]["f1"]] + [result["fields"][name]["f1"] for name in EVENT_FIELDS]
        ax.bar(np.arange(len(groups)) + (k - (len(results) - 1) / 2) * width, values, width, label=split)
    if agreement is not None:
        marks = [agreement["events"]["f1"]] + [agreement["fields"][name]["f1"] for name in EVENT_FIELDS]
        ax.scatter(range(len(groups)), marks, marker="_", s=600, color="black", zorder=3,
                   label="two annotators")
    marked = [k for k, name in enumerate(groups) if name in targets]
    if marked:
        x = np.array(marked)
        ax.hlines([targets[groups[k]] for k in marked], x - 0.45, x + 0.45, color="grey", linestyle=":",
                  linewidth=1.5, label="target")
    ax.set_xticks(range(len(groups)), groups)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("F1")
    ax.set_title("Event extraction: F1 per field")
    ax.legend(ncol=len(results) + 2, fontsize=8, loc="lower center")
    return ax


def confusion_grid(results: dict, protocol: str = "test"):
    """One 2x2 confusion matrix per model and label, from stored counts."""
    models = [name for name, r in results["models"].items() if protocol in r]
    fig, axes = plt.subplots(len(models), len(LABELS), figsize=(2.4 * len(LABELS), 2.1 * len(models)),
                             squeeze=False)
    for i, name in enumerate(models):
        for j, label in enumerate(LABELS):
            c = results["models"][name][protocol]["labels"][label]["confusion"]
            matrix = np.array([[c["tn"], c["fp"]], [c["fn"], c["tp"]]])
            ax = axes[i, j]
            ax.imshow(matrix, cmap="Greys", vmin=0, vmax=matrix.sum())
            for (r, col), value in np.ndenumerate(matrix):
                ax.text(col, r, str(value), ha="center", va="center",
                        color="white" if value > matrix.sum() / 2 else "black")
            ax.set_xticks([0, 1], ["no", "yes"])
            ax.set_yticks([0, 1], ["no", "yes"])
            if i == 0:
                ax.set_title(label)
            if j == 0:
                ax.set_ylabel(f"{name}\ntrue")
            if i == len(models) - 1:
                ax.set_xlabel("predicted")
    fig.tight_layout()
    return fig


def reliability(results: dict, ax=None):
    """Reliability diagram: mean score against observed frequency per score bin (test split)."""
    ax = _axes(ax, (4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
    for name, result in results["models"].items():
        bins = pd.DataFrame(result.get("test", {}).get("reliability", []))
        if not bins.empty:
            label = f"{name} (ECE {result['test']['ece']:.3f})"
            ax.plot(bins["mean_score"], bins["frequency"], marker="o", label=label)
    ax.set_xlabel("mean score in bin")
    ax.set_ylabel("share of passages with the label")
    ax.set_title("Reliability (all labels, test split)")
    ax.legend(fontsize=8)
    return ax


def confidence_reliability(report: dict, ax=None):
    """Event confidence against the share of events that are real, per bin, for each scored set.

    ``report`` is :func:`analysis.events.confidence.confidence_report`'s result; marker size
    follows the number of events in the bin.
    """
    ax = _axes(ax, (4.5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1)
    for name, scores in report.items():
        bins = pd.DataFrame(scores["calibration"])
        ax.plot(bins["mean_confidence"], bins["share_real"], marker="o", label=f"{name} (Brier {scores['brier']:.3f})")
        ax.scatter(bins["mean_confidence"], bins["share_real"], s=4 * bins["events"], alpha=0.3)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("mean confidence in bin")
    ax.set_ylabel("share matching a gold event")
    ax.set_title("Event confidence: reliability")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def learning_curve(curve: pd.DataFrame, ax=None):
    """Macro-F1 against the number of training articles, one line per model."""
    ax = _axes(ax, (5, 3.2))
    for name, rows in curve.groupby("model", sort=False):
        ax.plot(rows["articles"], rows["macro_f1"], marker="o", label=name)
    ax.set_xlabel("training articles")
    ax.set_ylabel("macro-F1 (test split)")
    ax.set_title("Learning curve")
    ax.legend()
    return ax


def rule_bars(rules: pd.DataFrame, ax=None):
    """Horizontal bars: wrong passages per codebook rule, missed vs extra labels."""
    ax = _axes(ax, (6, 0.35 * len(rules) + 1))
    y = np.arange(len(rules))
    ax.barh(y - 0.2, rules["with a missed label"], 0.4, label="missed a label")
    ax.barh(y + 0.2, rules["with an extra label"], 0.4, label="extra label")
    ax.set_yticks(y, rules.index)
    ax.invert_yaxis()
    ax.set_xlabel("wrong passages")
    ax.set_title("Errors by codebook rule")
    ax.legend()
    return ax


EVENT_COLOURS = {"strike": LABEL_COLOURS["strikes"], "incursion": LABEL_COLOURS["incursions"]}


def event_map(events: pd.DataFrame, ax=None):
    """Geocoded events on longitude/latitude axes (no basemap: everything stays offline)."""
    ax = _axes(ax, (6, 4.5))
    located = events.dropna(subset=["latitude", "longitude"])
    for kind, rows in located.groupby("kind"):
        ax.scatter(rows["longitude"], rows["latitude"], s=60, color=EVENT_COLOURS.get(kind, "grey"),
                   edgecolor="black", label=kind, zorder=3)
    for row in located.itertuples():
        ax.annotate(row.place or row.admin_region or "", (row.longitude, row.latitude), xytext=(4, 4),
                    textcoords="offset points", fontsize=8)
    if len(located):
        pad = 1.5
        ax.set_xlim(located["longitude"].min() - pad, located["longitude"].max() + pad)
        ax.set_ylim(located["latitude"].min() - pad, located["latitude"].max() + pad)
        ax.legend()
    ax.set_aspect("equal", adjustable="box")
    ax.grid(True, linestyle=":", linewidth=0.5)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    missing = len(events) - len(located)
    ax.set_title("Where" + (f" ({missing} event(s) without coordinates)" if missing else ""))
    return ax


def event_timeline(events: pd.DataFrame, ax=None):
    """Events by date, one row per kind, labelled with their place (same-day labels stacked)."""
    import matplotlib.dates as mdates

    ax = _axes(ax, (7, 2.6))
    dated = events.dropna(subset=["date"]).copy()
    dated["day"] = pd.to_datetime(dated["date"])
    kinds = sorted(dated["kind"].unique())
    for row_number, kind in enumerate(kinds):
        rows = dated[dated["kind"] == kind]
        ax.scatter(rows["day"], [row_number] * len(rows), s=60, color=EVENT_COLOURS.get(kind, "grey"),
                   edgecolor="black", zorder=3)
        for _, same_day in rows.groupby("day"):
            for stack, row in enumerate(same_day.itertuples()):
                ax.annotate(row.place or row.admin_region or row.country or "", (row.day, row_number),
                            xytext=(6, -4 + 10 * stack), textcoords="offset points", fontsize=8)
    if len(dated):
        first, last = dated["day"].min(), dated["day"].max()
        pad = max(pd.Timedelta(days=1), (last - first) * 0.1)
        ax.set_xlim(first - pad, last + pad * 3)
        span_days = max(1, (last - first + pad * 4).days)
        ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, span_days // 5)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b\n%Y"))
    ax.set_yticks(range(len(kinds)), kinds)
    ax.set_ylim(-0.6, len(kinds) - 0.1 + 0.5)
    ax.set_title("When")
    return ax


def share_lines(shares: pd.DataFrame, ax=None, title: str = "Topic shares over time"):
    """One line per label: share of passages per period (index of ``shares``)."""
    ax = _axes(ax, (7, 3.2))
    names = _share_labels(shares)
    colours = label_colours(names[:-1])
    for label in names:
        ax.plot(shares.index.astype(str), shares[label], marker="o", color=colours[label], label=label)
    ax.set_ylabel("share of paragraphs")
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(ncol=4, fontsize=8, loc="upper left")
    ax.tick_params(axis="x", rotation=45)
    return ax


def share_bars(shares: pd.DataFrame, ax=None, title: str = "Topic shares by theatre"):
    """Horizontal bars per group: the share of passages carrying each label."""
    ax = _axes(ax, (7, 0.35 * len(shares) + 1.2))
    y = np.arange(len(shares))
    names = _share_labels(shares)
    colours = label_colours(names[:-1])
    height = 0.8 / len(names)
    for k, label in enumerate(names):
        ax.barh(y + (k - (len(names) - 1) / 2) * height, shares[label], height, color=colours[label], label=label)
    ax.set_yticks(y, shares.index)
    ax.invert_yaxis()
    ax.set_xlabel("share of paragraphs")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="lower right")
    return ax


def _share_labels(shares: pd.DataFrame) -> list[str]:
    """The label columns of a :func:`analysis.labelling.topic_shares` table, then ``other``."""
    return [c for c in shares.columns if c not in ("other", "passages")] + ["other"]


def labelling_curve(curves: pd.DataFrame, full: float, zero_shot: float | None = None, ax=None):
    """Cross-validated macro-F1 against passages labelled, one line per ``strategy`` of ``curves``.

    ``full`` is the figure with every passage labelled (a dotted line at 90 % of it marks the
    target); ``zero_shot`` the figure of the topic descriptions alone.
    """
    ax = _axes(ax, (6.5, 3.6))
    for strategy, rows in curves.groupby("strategy", sort=True):
        ax.plot(rows["labelled"], rows["macro_f1"], marker="o", label=f"{strategy} picks")
    ax.axhline(full, color="black", linewidth=1, label=f"all labelled ({full:.3f})")
    ax.axhline(0.9 * full, color="black", linestyle=":", linewidth=1, label=f"90 % of it ({0.9 * full:.3f})")
    if zero_shot is not None:
        ax.axhline(zero_shot, color="grey", linestyle="--", linewidth=1, label=f"zero-shot ({zero_shot:.3f})")
    ax.set_xscale("log")
    ax.set_xlabel("passages labelled (log scale)")
    ax.set_ylabel("cross-validated macro-F1")
    ax.set_ylim(0, 1)
    ax.set_title("Learning curve of your own topics")
    ax.legend(fontsize=8, loc="lower right")
    return ax
