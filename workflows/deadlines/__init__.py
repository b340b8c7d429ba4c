"""Deadlines of work items: the holiday calendar, due times, due status, escalation and extensions."""
