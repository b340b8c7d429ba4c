"""Statistics for the supervising offices: figures over a period and a scope, counted in SQL from stored rows."""
