"""`python -m xref` runs the command line."""

from xref.cli import main

main()
