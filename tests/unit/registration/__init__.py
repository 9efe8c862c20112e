"""Tests of services.registration: cut-offs, plans, the board."""
