"""Model field pieces shared by the apps."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.functional import cached_property

# How long free text may be, in characters. A comment or a target is a paragraph; a note, a plan
# section or a concern a page. Long enough for real writing, short enough that no one can store
# megabytes in a text box (the API's schemas use the same numbers).
SHORT_TEXT = 2000
LONG_TEXT = 5000


class LimitedTextField(models.TextField):
    """A TextField that must say how long it may be: forms enforce `max_length` (ModelForms get it
    from here) and so does model validation (`full_clean`), as for a CharField."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self):
        return [*super().validators, MaxLengthValidator(self.max_length)]
