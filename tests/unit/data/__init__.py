"""Tests of services.data: data health, adoption, export/import, the copy command, the audit log."""
