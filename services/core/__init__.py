"""What every service stands on: the acting person and scope, the runtime, records and their audit rows, the parsed workbook, errors, form checks, the clock, xlsx output."""
