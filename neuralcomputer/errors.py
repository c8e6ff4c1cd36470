"""The one exception type that means "a person can fix this".

Anything raised as `UserError` is printed by `ncomp` as a single line (what was
wrong, where, what to do) and exits non-zero; every other exception is a bug and
keeps its traceback.
"""


class UserError(Exception):
    """Bad input from a person or a file: a one-line message, no traceback."""
