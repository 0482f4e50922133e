"""Publish: the assessment as the public reads it, with every small number hidden.

``formatting`` (how every number and code reads), ``tables`` (the published table and its
accessible HTML), ``part_specs`` and ``page`` (which counts the page hides), ``table_specs``
and ``publisher`` (each table's layout, declared, and the one function that lays it out),
``charts`` (accessible charts drawn from published values only) and ``publication`` (every
table and chart of one assessment, for the notebook).
"""
