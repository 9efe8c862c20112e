"""Presentation shared by the screens and the documents: the colours of the statuses on every chart."""
