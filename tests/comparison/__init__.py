"""Tests of parity with reference implementations (rank-bm25)."""
