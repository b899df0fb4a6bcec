"""Reading numbers from request parameters that anyone can type."""


def whole_number(value) -> int | None:
    """The value as a whole number if it is written in ASCII digits, else None.

    str.isdigit() alone accepts '²' or '٣', which int() then refuses or reads unexpectedly.
    """
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None
