"""Tests of the schemas: criteria sets, Vietnamese text keys, what a person types."""
