"""Rubrics, judge assignments, scorecards, ranking and awards."""
