"""Constants of the analysis, each defined once (docs/conventions.md).

Every module that needs one of these imports it from here; none re-defines it.
Cohort-level choices (the below-limit convention, the remission threshold, ...)
are configuration, not constants: see workflow/schemas/config.schema.yaml.
"""

from __future__ import annotations

#: Days in a year, for ages, participant-years and study years (Julian year).
DAYS_PER_YEAR = 365.25

#: ARM of every participant of a randomised cohort before unblinding.
BLINDED = "BLINDED"

#: AVISIT of a value outside every visit window of the schedule.
UNSCHEDULED = "UNSCHEDULED"

#: A ``<x`` result counts as factor x x, by the cohort's ``analysis.blq`` switch:
#: ``half`` (default, TrialNet stores undetectable C-peptide as half the limit),
#: ``limit`` or ``zero`` (docs/conventions.md, "Below the limit of quantification").
BLQ_FACTOR = {"half": 0.5, "limit": 1.0, "zero": 0.0}

#: REDCap ``ae_related`` codes (AREL) that count as related to the product:
#: 3 possible, 4 probable, 5 definite (1 unrelated and 2 unlikely do not).
#: ADAE's AERELFL = Y exactly for these codes; safety tables count AERELFL.
RELATED_CODES = (3, 4, 5)

#: The period of the overall hypoglycaemia rates (events per participant-year
#: of exposure), as Table 3 and the DSMB reports both name it.
HYPO_OVERALL_PERIOD = "whole exposure"
