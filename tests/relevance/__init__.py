"""Tests of the question's reading and query."""
