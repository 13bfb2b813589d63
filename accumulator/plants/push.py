"""Browser notifications live on the ground floor now (`accumulator.push`), shared with the
comments and contact messages; this name stays for code and tests that import it from here."""

from accumulator.push import *  # noqa: F403
