"""The October round: cycles and cut-offs, registering plans, the registration board, roll-ups to the province."""
