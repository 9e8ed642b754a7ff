"""Tests of the library stores, their CLI."""
