"""Crash consistency, the isolation matrix and other whole-system guarantees."""
