"""People and units: the unit tree and who may sign in with which role."""
