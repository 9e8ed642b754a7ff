"""Tests of disagreements between excerpts."""
