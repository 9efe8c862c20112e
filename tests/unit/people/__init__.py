"""Tests of services.people: the unit tree and the users."""
