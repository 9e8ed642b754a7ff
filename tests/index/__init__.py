"""Tests of analysis, the index store and its saved file."""
