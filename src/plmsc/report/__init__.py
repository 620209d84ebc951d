"""Tables, figures, quoted numbers and notebooks of a cohort's report.

Used by the ``manuscript`` and notebook rules, by the notebooks themselves and by
the tests, so that every displayed table or figure comes from one function.
Modules: :mod:`~plmsc.report.catalogue` (names of the outputs and notebooks),
:mod:`~plmsc.report.style` (matplotlib settings, participant palette,
deterministic saving), :mod:`~plmsc.report.tables`, :mod:`~plmsc.report.figures`,
:mod:`~plmsc.report.numbers`, :mod:`~plmsc.report.quality` (data-quality views),
:mod:`~plmsc.report.manuscript` (writes everything) and
:mod:`~plmsc.report.notebooks` (papermill execution and HTML rendering).
"""
