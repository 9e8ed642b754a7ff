"""Tests of the Discord embed."""
