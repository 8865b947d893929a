"""Campaigns, their challenges, timeline phases and campaign-scoped roles."""
