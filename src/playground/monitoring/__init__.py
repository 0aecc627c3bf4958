"""Lesson 7: drift injection, drift detectors and retraining policies."""
