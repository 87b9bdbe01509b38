"""Events from an article's passages already labelled, so that one pass of the classifier serves both.

``batch --events`` and the report show an article's passages and its events; both label the
article once (:func:`analysis.labelling.label_article`) and read the events from those labels
here, instead of letting :func:`~analysis.events.extract_events` label the article again.
"""

from __future__ import annotations

import pandas as pd

from analysis.articles import Article


def labelled_events(article: Article, paragraphs: pd.DataFrame, sentences: pd.DataFrame,
                    confidence_model=None) -> pd.DataFrame:
    """The events of ``article`` with their confidence, from its labelled paragraphs and sentences.

    Parameters
    ----------
    article : Article
    paragraphs, sentences : DataFrame
        :func:`analysis.labelling.label_article` of ``article``.
    confidence_model : optional
        The event confidence model; the shipped one when None.

    Returns
    -------
    DataFrame
        What ``add_confidence(extract_events(article, model), article)`` gives with the model
        that labelled the passages.
    """
    from analysis.events.confidence import add_confidence
    from analysis.events.pipeline import extract_events

    # The paragraph's label marks its unlabelled sentences as context, as extract_events does with a model.
    by_paragraph = dict(zip(paragraphs["paragraph"], paragraphs["labels"]))
    sentences = sentences.assign(paragraph_labels=[by_paragraph.get(p, []) for p in sentences["paragraph"]])
    return add_confidence(extract_events(article, labelled=sentences), article, confidence_model)
