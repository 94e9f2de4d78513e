"""INVO: a single POST /api.json with form fields r (resource) and q (JSON). See README.md."""
