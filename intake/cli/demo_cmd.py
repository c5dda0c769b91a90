"""Placeholder until the demo command lands."""
