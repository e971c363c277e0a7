"""Pure domain rules and arithmetic: standard library only, no Django (ARCHITECTURE §2)."""
