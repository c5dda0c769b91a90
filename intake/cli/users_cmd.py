"""Placeholder until this command lands."""
