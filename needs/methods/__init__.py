"""Methods: domain-free statistics, each documented with its formula and tested against references.

Confidence intervals, standardised rates and comparisons as OHID computes them
(PHEindicatormethods), the Erlang loss model (``queueing``) and disclosure control
(``disclosure``: primary and secondary suppression).
"""
