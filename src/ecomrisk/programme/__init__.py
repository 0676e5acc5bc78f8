"""The trusted-shipper programme: applications, criteria evaluated from stored data,
programme manager decisions and periodic re-vetting (``docs/programme.md``).

``criteria`` is pure (evidence in, pass/fail out); ``evidence`` reads the store;
``repo`` stores applications and decisions and keeps ``trusted_parties`` in step.
"""
