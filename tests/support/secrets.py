"""Fake secrets for the settings tests: never real, and easy to look for in a page or a log."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRIVATE_KEY = "FAKE-PRIVATE-KEY-3cd-q7Zp93xLw"
COOKIE_SECRET = "FAKE-COOKIE-SECRET-3cd-Hn2v8kRt"
CLIENT_SECRET = "FAKE-CLIENT-SECRET-3cd-Yb5m1cQe"
SECRETS = (PRIVATE_KEY, COOKIE_SECRET, CLIENT_SECRET)
SERVICE_ACCOUNT = {
    "type": "service_account",
    "project_id": "mau",
    "private_key_id": "0",
    "private_key": f"-----BEGIN PRIVATE KEY-----\n{PRIVATE_KEY}\n-----END PRIVATE KEY-----\n",
    "client_email": "3cd@mau.iam.gserviceaccount.com",
    "token_uri": "https://oauth2.googleapis.com/token",
}
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": COOKIE_SECRET,
    "client_id": "mau.apps.googleusercontent.com",
    "client_secret": CLIENT_SECRET,
    "server_metadata_url": "https://accounts.google.com/.well-known/openid-configuration",
}
