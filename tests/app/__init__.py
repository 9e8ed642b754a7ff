"""Tests of the bot process: faults, shards."""
