"""Documents in the Youth Union's administrative format (.docx, and PDF when a converter exists)."""
