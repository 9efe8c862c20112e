"""Tests of services.documents: the Youth Union documents, .docx, .xlsx and PDF."""
