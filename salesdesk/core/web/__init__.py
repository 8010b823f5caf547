"""Reusable machinery of the browser UI: access checks, resource lists, detail and form pages."""
