"""Lesson 6: online experiments (power, novelty, peeking, CUPED, SRM) and offline ranking metrics."""
