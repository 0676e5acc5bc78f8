"""The internal API (``/internal/v1``) for people and their tools: rule sets and
decisions. Authenticated by user tokens (``ecomrisk users token``), every route
checks its roles; filer API keys are refused here."""
