"""Turn strike and incursion passages into a table of events, one row per attack.

The rows follow the ACLED habit: who attacked what, where, when, with which
weapon, and how many were killed or wounded. Everything is rule based and
deterministic, so the same article always gives the same table.

The stages, each importable alone and importing only the ones above it:

``schema``      column names, the seed article's place, the extractor's settings
``names``       :func:`normalise`, which folds spellings of a name together
``lexicon``     the vocabulary, read from ``rules/*.csv``
``numbers``     counts in digits or words
``countries``   country names, aliases and ISO codes
``gazetteer_build``, ``gazetteer``   the place index, built ahead of time, and :func:`lookup_place`
``casualties``  killed and wounded counts
``weapons``, ``actors``, ``targets``, ``dates``   one field each
``places``      the places of a clause and the role of each
``clauses``     a sentence cut into clauses, each read into :class:`~analysis.events.clauses.Facts`
``assemble``    events built from facts, and what is filled in at the end
``reader``      an article's labelled sentences read paragraph by paragraph
``pipeline``    :class:`EventExtractor` and :func:`extract_events`
``evaluation``, ``confidence``   scores against the gold events, and a confidence per event

How an article becomes events
-----------------------------
1. The article is split into sentences (:func:`analysis.segment.segment`) and
   labelled (:func:`analysis.labelling.label_passages`), unless labelled
   sentences are passed in. With a model, paragraphs are labelled too, so a
   sentence the model missed is still read when its paragraph is about attacks.
2. Every paragraph with a ``strikes`` or ``incursions`` label is read in order.
   Its unlabelled sentences are context: "Another four were wounded." carries no
   label but belongs to the attack before it; such a sentence founds an event of
   its own only when it names a weapon or a toll. Sentences labelled only
   ``diplomacy`` are skipped.
3. Each sentence is cut into clauses where a new place is introduced
   ("..., and in the Sumy region a drone ..."), and each clause is read for
   places (with a role for each: the attack's place, a point of reference, a
   government speaking ...), weapons, attackers, targets, casualties, dates and
   distances.
4. A clause naming a new place starts a new event; a clause without a place
   adds to the current event (the governor's detail about the rocket launcher,
   the later casualty count). A list of places ("Jermuk, Goris and Kapan")
   gives one event per place. An opening clause that names no place ("Israeli
   jets then hit targets across the strip") becomes the event of the first
   place that follows and lends its weapon, side and day to the paragraph. A
   place already reported in the article, named again with nothing new about
   the day or the weapon, is the same attack (a reaction, a follow-up).
5. Background is skipped: summaries of repeated past incidents ("have crossed
   ... several times"), comparisons with an older incident ("comes less than a
   month after ..."), denials, and anything dated more than a month before the
   article.
6. What the text leaves implicit is filled last: the date (the day reported,
   else the day of the attack before, else the article's date), the attacker of
   a strike from the opposing side of the war (marked "inferred" in the
   evidence), and the violated state of an incursion.

:mod:`analysis.events.evaluation` scores the extractor against the gold events
(``docs/events-guide.md`` says how they are written).
"""

from analysis.events.actors import find_attacker, find_attackers
from analysis.events.casualties import count_people, find_counts, read_casualties
from analysis.events.clauses import read_clause, split_clauses
from analysis.events.countries import country_names, country_of
from analysis.events.dates import find_dates
from analysis.events.gazetteer import Place, lookup_place
from analysis.events.names import normalise
from analysis.events.numbers import parse_number
from analysis.events.pipeline import EventExtractor, events_records, extract_events
from analysis.events.places import Mention, find_mentions
from analysis.events.schema import EVALUATED_FIELDS, EVENT_COLUMNS, KINDS, ROOT, SEED_DIR, SEED_ID
from analysis.events.targets import find_distance, find_target
from analysis.events.weapons import find_weapons

__all__ = [
    "EVALUATED_FIELDS", "EVENT_COLUMNS", "EventExtractor", "KINDS", "ROOT", "SEED_DIR", "SEED_ID", "Mention", "Place",
    "count_people", "country_names", "country_of", "events_records", "extract_events", "find_attacker",
    "find_attackers", "find_counts", "find_dates", "find_distance", "find_mentions", "find_target",
    "find_weapons", "lookup_place", "normalise", "parse_number", "read_casualties", "read_clause",
    "split_clauses",
]
