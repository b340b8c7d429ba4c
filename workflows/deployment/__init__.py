"""Deploying diagrams: validation, the definitions' cached content, and the catalog of versions."""
