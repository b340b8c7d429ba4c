"""The SpiffWorkflow engine wrapped: diagram reading, parsing, serialization and stepping."""
