"""Notifications: in-app messages, each person's choices per kind, and the e-mail outbox."""
