"""Tests of slash commands (unit, against mocked interactions)."""
