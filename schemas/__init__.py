"""Shapes of the data: each tab's columns and Vietnamese headers, pydantic models, criteria sets."""
