"""Placeholder until the evaluation command lands."""
