"""Compliance measurement: stratified sample designs and design-based estimators
(rates, revenue gap, lift) over the random compliance sample. The maths
(``strata``, ``design``, ``estimators``) is pure; ``frame`` reads the store."""
