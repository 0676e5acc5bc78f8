"""Targeting under capacity: which shipments each facility examines each customs
day, and why. ``selection`` and ``sampling`` are pure; ``valuation`` turns a stored
decision into a probability and a value; the ``*_repo`` modules do the I/O."""
