"""What every passage model and text transformer here declares to scikit-learn."""

from __future__ import annotations


class TextClassifierMixin:
    """Tags of a multi-label classifier over raw passage texts (not a numeric 2-D array)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.multi_output = True
        return tags


class TextTransformerMixin:
    """Tags of a transformer over raw texts that learns nothing from them (pretrained or rule-based).

    ``requires_refit = False`` lets cross-validation reuse one feature matrix across folds.
    """

    requires_refit = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = False
        return tags
