"""Rules: a small declarative language (YAML) over features, versioned and backtested.

``model`` defines a rule set, ``loader`` reads one from YAML with line numbers
in every error, ``evaluate`` runs it on one filing's features (online) and
``sql`` compiles it to SQL for batch backtests; a test keeps the two in step.
"""

from ecomrisk.risk.rules.evaluate import RuleHit, evaluate
from ecomrisk.risk.rules.loader import RuleFileError, load_ruleset, parse_ruleset
from ecomrisk.risk.rules.model import Rule, RuleSet

__all__ = [
    "Rule",
    "RuleFileError",
    "RuleHit",
    "RuleSet",
    "evaluate",
    "load_ruleset",
    "parse_ruleset",
]
