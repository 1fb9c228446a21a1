"""Django messages whose zh_Hans translation Django itself lacks; our catalogue supplies them.

Nothing uses these constants: they exist so that `makemessages` keeps the msgids (with
Django's exact wording) in the access catalogue, which Django consults before its own.
"""

from django.utils.translation import ngettext_lazy

PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",  # any count: only the msgid matters
)
