"""Microcredit: household microcredit programs for rural development, end to end."""

__version__ = "0.1.0"
