"""Figure → indicator linking: the relation rules (``rules``), the INDICATOR phrase model (``indicator_model``),
phrase → canonical id mapping (``phrase_map``), and the learned linker: candidates and their features
(``features``), the scikit-learn model (``model``), the policies that combine it with the rules (``policy``),
and its scores and diagnostics (``scoring``, ``diagnostics``)."""
