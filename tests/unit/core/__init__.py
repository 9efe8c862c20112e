"""Tests of services.core and the composition root: settings, the parsed workbook."""
