"""indexer: turns source trees into facts (definitions, references, calls, registrations).

Only `xref index` imports it; everything else reads the facts it stored.
"""
