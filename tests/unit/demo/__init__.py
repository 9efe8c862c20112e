"""Tests of the demo province."""
