"""Recommender-system lessons (Part 1): ranking, serving, experiments, monitoring."""
