"""Shared by test_identification.py and test_evidence.py: who may see which of the world's pupils."""

from __future__ import annotations

from need_to_know import CASES, PUPILS  # noqa: F401  (re-exported)
from need_to_know import SEN_RECORD_VISIBLE as VISIBLE  # noqa: F401  (concerns and evidence are the SEN record)

# Staff of the pupil's school (so not trust leaders, specialists or governors).
STAFF = {"senco", "head", "teacher", "ta", "other_teacher", "administrator", "outsider", "superuser"}
# Who manages the SEN record (the SENCO of the pupil's school).
SENCOS = {"senco", "outsider", "superuser"}
