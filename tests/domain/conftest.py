"""Domain tests need no Django: pure functions, dates passed in."""
