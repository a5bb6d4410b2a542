"""When a young person makes their own decisions: after compulsory school age.

Compulsory school age ends on the last Friday of June of the school year (1 September to
31 August) in which the young person turns 16. From the next day their consent replaces the
parent's (Children and Families Act 2014, s. 80, and the SEND Code of Practice, 8.13).
"""

from __future__ import annotations

import datetime as dt

FRIDAY = 4


def turns_sixteen_on(date_of_birth: dt.date) -> dt.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + 16)
    except ValueError:  # born on 29 February: 16 on 1 March (the same school year either way)
        return dt.date(date_of_birth.year + 16, 3, 1)


def compulsory_school_age_ends(date_of_birth: dt.date) -> dt.date:
    """The last Friday of June of the school year in which they turn 16."""
    sixteen = turns_sixteen_on(date_of_birth)
    june_of = sixteen.year + 1 if sixteen.month >= 9 else sixteen.year
    last_of_june = dt.date(june_of, 6, 30)
    return last_of_june - dt.timedelta(days=(last_of_june.weekday() - FRIDAY) % 7)


def decides_for_themselves(date_of_birth: dt.date, today: dt.date) -> bool:
    """True once compulsory school age has ended (the day after that Friday, onwards)."""
    return today > compulsory_school_age_ends(date_of_birth)
