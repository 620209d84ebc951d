"""A corpus of bad raw inputs, each made from a copy of the committed phase 1 exports.

Every case is a function ``case(raw, cfg) -> Outcome``: ``raw`` is a writable copy
of ``data/raw/phase1`` (the committed folder itself is never touched) and ``cfg``
a copy of the phase 1 cohort config; the function damages one thing and returns
what ingestion must do about it:

- :class:`Raises`: stop with this error, whose message names the file (and the
  line, or the record and event), the column or field, and what was expected;
- :class:`Handled`: carry on as documented (e.g. a row excluded and counted in
  the reconciliation); ``check`` receives the datasets and the untouched run's.

Cases live in :mod:`bad_inputs.cases`, helpers in :mod:`bad_inputs.helpers`.
The docstring of each case is its one-line description. The test runner writes
a new manifest after the damage (the exports were "received on purpose"), so
the bad input reaches ingestion rather than the manifest check.
"""
