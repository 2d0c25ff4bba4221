"""Errors that reach the person running the product.

A ``StartupError`` carries a message that already says how to fix the
problem; the CLI edge prints it as one line and exits non-zero.
"""


class StartupError(Exception):
    """A problem with settings or the environment found before work starts."""


class InputError(Exception):
    """A piece of input (an item, a file) that cannot be used as given."""
