"""Bulk import of officers, the register and visit history, from CSV or XLSX (see docs/imports.md)."""
