"""Read war reporting passage by passage: diplomacy, strikes, incursions.

The package follows the data flow of the analysis, one module per stage::

    articles  -> segment  -> models  -> labelling -> events -> plots / report
    (read)       (passages)  (scores)  (DataFrame)   (rows)

``codebook`` holds the label set, ``corpus`` the labelled training data,
``evaluate`` and ``explain`` the measurement, ``batch`` the large-scale runs and
``cli`` the single command line over all of it.
"""

__version__ = "0.1.0"
