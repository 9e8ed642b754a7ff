"""Names: the designators that close a company's name ("Eastman Kodak Co")."""

from __future__ import annotations

from bot.english.function_words import words

# Written abbreviated, usually with a period: part of many names, naming none.
COMPANY_DESIGNATORS = words("inc co corp ltd plc llc")
# Other countries' designators the caveat also passes over when it compares names.
FOREIGN_DESIGNATORS = words("lp ag sa nv gmbh bhd pty spa kk")
# A designator whose period may end a sentence ("…and X Corp. Citing concerns, …"); "Bros." too.
SENTENCE_END_DESIGNATORS = COMPANY_DESIGNATORS | {"bros"}
# Every designator: what the caveat passes over when it compares names.
DESIGNATORS = COMPANY_DESIGNATORS | FOREIGN_DESIGNATORS
