"""Shared kernel: declarative base, clock, domain errors, events and the audit log."""
