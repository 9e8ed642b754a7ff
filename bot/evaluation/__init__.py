"""Measurements of answer quality: retrieval on Cranfield, answers on the seed questions,
caveats on WikiContradict. Run with `python -m bot eval ...`; none of it runs in the bot."""
