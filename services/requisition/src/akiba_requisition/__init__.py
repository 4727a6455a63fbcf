"""Akiba requisition: programs, templates, periods and requisitions up the supervision tree."""
