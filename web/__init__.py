"""web: the Flask application that shows xref's answers in a browser.

It is a thin layer over the `xref` package and never parses source itself.
"""
