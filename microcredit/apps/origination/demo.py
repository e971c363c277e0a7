"""Registers the demo steps of rating and origination (see microcredit/demo/origination.py)."""

import microcredit.demo.origination  # noqa: F401
