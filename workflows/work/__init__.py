"""The work of a case: instances, work items and their transitions, the steps that persist the engine's progress.

Also copies and notices, the lists (queues, dashboard), the timer worker and attachments.
"""
