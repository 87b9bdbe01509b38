"""A transparent lexicon classifier: weighted cue phrases per label.

Each label has cues (regular expressions) with weights; negative weights encode
the codebook's "not this label" rules (gunfights are not strikes, an airspace
violation of a third state is an incursion rather than a strike). A passage's
score for a label is ``1 - exp(-max(0, sum of weights of the cues it contains))``,
so one strong cue (weight 1) gives 0.63, two give 0.86.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from analysis.codebook import LABELS
from analysis.models.base import TextClassifierMixin, TextTransformerMixin
from analysis.models.cues import cue_counts, matches

_THIRD_STATES = (
    r"(poland|polish|romania|romanian|moldova|moldovan|latvia|latvian|lithuania|lithuanian|"
    r"estonia|estonian|finland|finnish|belarus|denmark|danish|norway|norwegian|jordan|jordanian|"
    r"nato|egypt|egyptian|saudi|japan|japanese)"
)

# (pattern, weight) per label. Patterns are matched case-insensitively on word boundaries.
LEXICON: dict[str, list[tuple[str, float]]] = {
    "diplomacy": [
        (r"(peace|ceasefire|truce|nuclear) (talks|deal|plan|proposal|agreement|accord|terms|negotiations)", 1.0),
        (r"(negotiat\w+|mediat\w+|summit|talks)", 0.6),
        (r"security guarantee(s|e|es)?", 1.0),
        (r"(foreign|defence|defense) minist(er|ers|ry|ries)", 0.4),
        (r"(ceasefire|truce|armistice)", 0.4),
        (r"(foreign secretary|secretary of state|ambassador|envoy|embassy|diplomat\w*)", 0.6),
        (r"(condemn\w*|protest(ed|s)? to|summon\w*|denounc\w*)", 0.6),
        (r"(sanction\w*|treaty|memorandum|communiqu\w+|readout|joint statement)", 0.6),
        (r"(coalition of the willing|allies|alliance|security council|united nations|\bun\b)", 0.4),
        (r"(meeting|met with|met in|phone call|spoke by phone|visit(ed)? to)", 0.4),
        (r"(president|prime minister|chancellor|kremlin|white house)", 0.2),
        (r"(warn(ed|s)?|threat(en)?\w*|ultimatum|demand\w*)", 0.3),
        (r"(agreement|agreed|accord|deal)", 0.3),
        (r"(capitulation|settlement|guarantor\w*|partnership)", 0.5),
        (r"(parliament|coalition partners|opposition party|election|court|lawmakers)", -0.5),
    ],
    "strikes": [
        (r"(air|missile|drone|rocket|artillery|air-?)\s?(strike|strikes|attack|attacks|raid|raids|barrage)", 1.0),
        (r"(shell(ed|ing)|bombard\w*|pounded|barrage|salvo|glide bombs?)", 1.0),
        (r"(killed|killing|kills|wounded|wounding|injured|injuring|casualties|dead)", 0.6),
        (r"(struck|hit|targeted|attacked)", 0.4),
        (r"(air[- ]raid|sirens?|national alert|air defen[cs]e\w*|intercept\w*|shot down)", 0.6),
        (r"(multiple rocket launch\w*|mlrs|grad|himars|iskander|kalibr|shahed|geran|atacms|storm shadow)", 0.8),
        (r"(drones?|missiles?|rockets?|warplanes?|bombers?)", 0.2),
        (r"(explosions?|blasts?|fires?|blaze|damag\w+|destroy\w*|rubble)", 0.25),
        (r"(refinery|power (plant|station)|energy (facility|infrastructure)|substation)", 0.3),
        (r"(clash\w*|gunfire|gunmen|gunfight|shooting|shot dead|stabb\w+|ambush\w*|sniper)", -0.8),
        (r"(suicide bomb\w*|car bomb|roadside bomb|\bied\b|improvised explosive|grenade|planted)", -1.0),
        (r"(industrial|gas (leak|explosion|blast)|accident\w*|earthquake|flood\w*|crash(ed)?)", -0.6),
        (r"(labou?r strike|went on strike|strike action|general strike|hunger strike|striker|walkout|union)", -1.5),
        (r"(missile tests?|test[- ]fired|test launch\w*|exercises?|drills?|parade)", -1.0),
        (r"(airspace|violation|provocation)", -0.8),
        (_THIRD_STATES, -0.6),
    ],
    "incursions": [
        (r"(violat\w+ (of )?(its|our|their|the) (air ?space|territory|border)|air ?space violation)", 1.5),
        (r"(air ?space|air defen[cs]e identification zone|adiz|median line)", 0.8),
        (r"(incursion|intrusion|crossed into|entered|flew into|strayed)", 0.6),
        (r"(scrambled|shot down over|wreckage|debris)", 0.4),
        (r"(provocation|balloons?)", 0.4),
        (_THIRD_STATES, 0.25),
        (r"(drones?|missiles?|aircraft|jets?)", 0.15),
        (r"(market|sports|bear|wildlife)", -0.5),
    ],
}


class KeywordClassifier(TextClassifierMixin, ClassifierMixin, BaseEstimator):
    """Multi-label lexicon classifier with scikit-learn's interface.

    Parameters
    ----------
    lexicon : dict, optional
        ``label -> [(regex, weight), ...]``; defaults to :data:`LEXICON`.
    threshold : float
        Score at or above which a label is predicted.

    Notes
    -----
    ``fit`` learns nothing from the data: the rules are fixed by hand, which is the
    point of a transparent baseline. It records the label set and input width.
    """

    def __init__(self, lexicon=None, threshold=0.5):
        self.lexicon = lexicon
        self.threshold = threshold

    def fit(self, X, y=None):
        """Compile the lexicon; ``X`` and ``y`` are accepted for API compatibility."""
        lexicon = self.lexicon if self.lexicon is not None else LEXICON
        self.classes_ = np.array(LABELS)
        self.cues_ = tuple(
            (label, pattern, float(weight))
            for label in LABELS
            for pattern, weight in lexicon.get(label, [])
        )
        self.thresholds_ = np.full(len(LABELS), float(self.threshold))
        return self

    def _cue_counts(self, texts) -> np.ndarray:
        return cue_counts(self.cues_, texts)

    def _matches(self, text: str):
        return matches(self.cues_, text)

    def decision_function(self, X) -> np.ndarray:
        """Sum of cue weights per passage and label, shape ``(n, 3)``."""
        check_is_fitted(self)
        counts = self._cue_counts(list(X))
        weights = np.zeros((len(self.cues_), len(LABELS)))
        for i, (label, _, weight) in enumerate(self.cues_):
            weights[i, LABELS.index(label)] = weight
        return counts @ weights

    def predict_proba(self, X) -> np.ndarray:
        """Label scores in [0, 1), shape ``(n, 3)``, one column per label."""
        return 1.0 - np.exp(-np.clip(self.decision_function(X), 0, None))

    def predict(self, X) -> np.ndarray:
        """0/1 indicator matrix, shape ``(n, 3)``."""
        return (self.predict_proba(X) >= self.thresholds_).astype(int)

    def explain(self, text: str) -> dict[str, list[tuple[str, float]]]:
        """Cue phrases found in ``text`` and their weights, per label."""
        check_is_fitted(self)
        found: dict[str, list[tuple[str, float]]] = {label: [] for label in LABELS}
        for match in self._matches(str(text)):
            label, _, weight = self.cues_[int(match.lastgroup[1:])]
            found[label].append((match.group(0), weight))
        return found


class LexiconFeatures(TextTransformerMixin, TransformerMixin, BaseEstimator):
    """The lexicon's cue counts as features, ``log1p``-scaled, for trained models.

    The codebook's distinctions (a third state's airspace, a gunfight rather than a
    strike) are encoded once in :data:`LEXICON`; a trained model learns how much to
    trust each cue instead of using the hand-set weights.
    """

    def __init__(self, lexicon=None):
        self.lexicon = lexicon

    def fit(self, X, y=None):
        """Compile the lexicon."""
        self.classifier_ = KeywordClassifier(lexicon=self.lexicon).fit([])
        return self

    def transform(self, X) -> np.ndarray:
        """Cue counts, shape ``(n, cues)``."""
        check_is_fitted(self)
        return np.log1p(self.classifier_._cue_counts(list(X)))

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self)
        return np.array([f"{label}:{pattern}" for label, pattern, _ in self.classifier_.cues_], dtype=object)
