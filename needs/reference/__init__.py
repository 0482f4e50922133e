"""Reference: what every stage shares and nothing computes.

``categories`` (every code list, with labels), ``constants`` (thresholds, benchmarks and
defaults, each with its source), ``periods`` (financial years), ``schema`` (the data
dictionary), ``locations`` (where the bundled notebooks, templates and example data are)
and ``resources/`` (public reference tables: upper-tier areas, CSEW prevalence, Census
profiles).
"""
