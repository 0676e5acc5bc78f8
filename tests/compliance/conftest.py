"""The targeting tests' world serves the compliance tests too."""

from tests.targeting.conftest import world

__all__ = ["world"]
