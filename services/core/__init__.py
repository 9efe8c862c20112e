"""What every part of the app shares: messages and other small cross-cutting pieces."""
