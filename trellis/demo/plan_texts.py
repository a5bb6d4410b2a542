"""What the demo's plans say: target ideas on several scales, and the wording of plans and reviews."""

from __future__ import annotations

from trellis.assessment.models import Domain

# (scale code, area, description, success criteria, small steps, baseline range, planned gain range)
TARGET_IDEAS = [
    (
        "nc-levels",
        Domain.COGNITION,
        "Read and understand a short book at {their} level, answering 3 of 4 questions",
        "Answers 3 of 4 questions about a new book on two occasions",
        ["Retells the story in order", "Answers 'who' and 'where' questions", "Answers 'why' questions"],
        (0, 7),
        (2, 3),
    ),
    (
        "nc-levels",
        Domain.COGNITION,
        "Add and subtract two-digit numbers using a number line without adult help",
        "8 of 10 sums right on a weekly check",
        ["Counts on in tens", "Adds ones to a two-digit number", "Subtracts using the number line"],
        (1, 7),
        (2, 3),
    ),
    (
        "pks",
        Domain.COGNITION,
        "Write two sentences with capital letters and full stops independently",
        "Two sentences in three pieces of independent writing",
        ["Says the sentence aloud first", "Leaves finger spaces", "Uses a capital letter and full stop"],
        (0, 5),
        (2, 3),
    ),
    (
        "edsm",
        Domain.SLC,
        "Use 10 new topic words correctly in class discussion each half term",
        "Uses the words unprompted in 3 lessons",
        ["Matches words to pictures", "Uses words with a prompt"],
        (0, 0),
        (2, 3),
    ),
    (
        "edsm",
        Domain.SOCIAL,
        "Take turns in a small-group game for 10 minutes with one reminder",
        "Observed in 3 of 4 sessions",
        ["Waits for a turn with a visual cue", "Says 'your turn'"],
        (0, 1),
        (1, 2),
    ),
    (
        "leuven-wellbeing",
        Domain.SEMH,
        "Settle calmly on arrival using {their} check-in routine 4 days a week",
        "Leuven well-being of 4 or more on 4 of 5 mornings",
        ["Uses the feelings chart", "Chooses a calm activity"],
        (0, 1),
        (2, 3),
    ),
    (
        "leuven-involvement",
        Domain.SEMH,
        "Stay on a chosen task for 10 minutes in the nurture group",
        "Involvement of 4 or more in 3 sessions",
        [],
        (0, 1),
        (2, 3),
    ),
    (
        "standardised",
        Domain.SPLD,
        "Raise {their} single-word reading score by 8 points through daily precision teaching",
        "Standardised score of 85 or more on the next test",
        ["Reads 20 high-frequency words", "Reads 40 high-frequency words"],
        (72, 86),
        (6, 10),
    ),
    (
        "reading-age",
        Domain.SPLD,
        "Increase reading age by 9 months with three phonics sessions a week",
        "Reading age test at the end of the spring term",
        [],
        (66, 100),
        (8, 12),
    ),
    (
        "sdq-total",
        Domain.SEMH,
        "Reduce difficulties in class to below the high band with a daily check-in",
        "SDQ total difficulties of 15 or less at review",
        [],
        (17, 24),
        (4, 7),
    ),
    (
        "p-scales",
        Domain.COGNITION,
        "Match objects to photographs in 4 of 5 trials",
        "4 of 5 trials on two days",
        ["Matches identical objects", "Matches object to photo"],
        (2, 6),
        (2, 2),
    ),
    (
        "engagement",
        Domain.COGNITION,
        "Anticipate the next step of the sensory story with a sound or gesture",
        "Seen in 3 sessions running",
        [],
        (0, 1),
        (1, 2),
    ),
    (
        "count",
        Domain.PHYSICAL,
        "Catch a large ball from 2 metres 8 times out of 10",
        "8 catches out of 10 in PE on two occasions",
        ["Catches from 1 metre"],
        (2, 4),
        (4, 6),
    ),
]

STRENGTHS = [
    "Kind to others and loves animals",
    "Good at building with Lego and construction",
    "Enjoys music and remembers songs",
    "Works hard and keeps trying",
    "Great sense of humour",
    "Loves drawing and art",
]
GOOD_AT = [
    "Drawing, football and helping in class",
    "Remembering facts about dinosaurs",
    "Making people laugh",
    "Computers and building things",
]
FIND_HARD = [
    "Reading long words and writing quickly",
    "Noisy rooms and changes to the day",
    "Waiting for my turn",
    "Remembering instructions",
]
WHAT_HELPS = [
    "A visual timetable and a quiet space",
    "Instructions one at a time and a word mat",
    "A movement break and a warning before changes",
    "Working with a partner I trust",
]
STRATEGIES = [
    "Seat near the front, away from the door. Give instructions one at a time and check understanding.",
    "Use the visual timetable; warn before transitions. Pre-teach topic vocabulary.",
    "Coloured overlay and cream paper. Allow extra time and a scribe for longer writing.",
]
PROVISION = [
    "Precision teaching 3 x 10 mins a week (TA)",
    "Small-group phonics 4 x 20 mins a week",
    "Nurture group twice a week",
    "Speech and language programme 2 x 15 mins a week (TA)",
]
OUTCOMES = [
    "By the end of key stage 2, read and understand age-appropriate texts with support",
    "Communicate needs and feelings to familiar adults using words or symbols",
    "Manage changes in routine with adult support and stay regulated",
    "Take part in group work and make a friend in class",
]
COMMENTS = {
    "up": ["Good progress this half term", "Much more confident", "Secure with support now", "Moving on well"],
    "flat": ["No change yet", "Absences affected progress", "Needs a new approach", "Finding this hard"],
}
# Evidence for a review recording horizontal progress (a non-linear scale such as the engagement model).
ACROSS_CONTEXTS = {
    "consolidating": [
        "Did it in four sessions out of five this half term, with only a verbal prompt",
        "Now does it without the TA modelling it first",
        "Held it for the whole session twice this week",
    ],
    "generalised": [
        "Did it in music with a new group, not only in the sensory room",
        "Did it at lunchtime with the midday supervisor",
        "Mum saw the same response at home with a new story",
        "Did it with a supply TA in the hall",
    ],
}
PARENT_VIEWS = [
    "Mum says homework is a struggle",
    "Dad is pleased with progress in reading",
    "Parents would like more information about phonics",
]
VIEWS_HOW = ["Written by the pupil", "Written with the pupil by their TA"]
RESPONSIBLE = ["Class teacher", "TA", "SENCO", "HLTA"]
WRITTEN_BY = "SENCO with class teacher, pupil and parents"
