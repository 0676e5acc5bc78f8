"""Risk model: the gradient-boosting routine, ranking metrics and point-in-time encodings.

Data-agnostic building blocks (numpy / pandas / Arrow in, no store access);
training from the store, calibration and the registry build on them.
"""
