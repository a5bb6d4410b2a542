"""Who may see which of conftest's `world` pupils: the need-to-know rules (issue 2) as a table."""

from __future__ import annotations

PUPILS = ["in_class", "other_class", "confidential", "expired_share", "pupil_b", "pupil_c"]
VISIBLE = {
    "senco": {"in_class", "other_class", "confidential", "expired_share"},
    "head": {"in_class", "other_class", "confidential", "expired_share"},
    "teacher": {"in_class"},
    "ta": {"in_class"},
    "other_teacher": {"other_class", "expired_share"},
    "administrator": {"in_class", "other_class", "expired_share"},
    "trustlead": {"in_class", "other_class", "expired_share", "pupil_b"},
    "specialist": {"other_class"},
    "governor": set(),
    "outsider": {"pupil_c"},
    "superuser": set(PUPILS),
}
CASES = [(role, pupil) for role in VISIBLE for pupil in PUPILS]
# Plans, targets, evidence, concerns and provision: the school office keeps the register only, until
# the SENCO grants it the SEN records (then it sees them as VISIBLE["administrator"]).
SEN_RECORD_VISIBLE = VISIBLE | {"administrator": set()}
SEN_RECORD_CASES = [(role, pupil) for role in SEN_RECORD_VISIBLE for pupil in PUPILS]
