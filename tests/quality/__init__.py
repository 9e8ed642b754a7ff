"""Tests of answer quality on the shared and probe sets."""
