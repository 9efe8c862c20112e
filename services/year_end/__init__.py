"""The year-end round: assessment against the criteria, recognition decisions, the province check, results and commendation."""
