"""Automation: what the timeline schedules (transitions, reminders) and how each action is applied."""
