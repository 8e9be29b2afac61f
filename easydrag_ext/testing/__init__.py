"""Test and benchmark fixtures: seeded random-weight models.  Used by tests/ and bench/ only;
the product never imports this package (tests/test_architecture.py checks)."""
