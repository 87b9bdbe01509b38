"""The one exception type that reaches the user as a plain message."""


class InputError(Exception):
    """A problem with what the user gave us (a path, a file, an option).

    The CLI prints its message on one line and exits with status 2; the Python
    API lets it propagate so that notebooks show the message.
    """
