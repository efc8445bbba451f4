"""Extract statistics from Chinese government information-disclosure annual reports.

Conventions used everywhere in this package: character offsets are into the
normalised document text, ``start`` is inclusive and ``end`` is exclusive.
"""

__version__ = "0.1.0"
