"""The load test of a regency's morning (locust against gunicorn on PostgreSQL); see docs/load.md."""
