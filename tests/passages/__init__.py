"""Tests of sentences, table lines, text cleanup."""
