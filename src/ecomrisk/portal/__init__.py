"""The public portal's logic: violation reports and their evidence files, rate
limits. Its pages are ``ecomrisk.web.portal`` (``docs/portal.md``)."""
