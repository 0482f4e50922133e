"""Publish: the assessment as the public reads it, with every small number hidden.

``formatting`` (how every number and code reads), ``tables`` (the published table and its
accessible HTML), ``charts`` (accessible charts drawn from published values only) and
``publication`` (every table and chart of one assessment, for the notebook).
"""
