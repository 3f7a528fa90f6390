"""xref: a cross-reference and macro-expansion explorer for the Linux kernel and glibc.

The package answers questions from an index; `indexer` builds that index, `web` shows it.
"""

__version__ = "0.1.0"
