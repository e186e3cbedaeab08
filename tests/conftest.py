"""Shared fixtures. The database is a real PostgreSQL (embedded when DATABASE_URL is unset)."""
