"""Where a server's sources live: the base set everyone starts from plus what its moderators add.

`base` is the interface (what a store must do), `sql_common` the logic both stores share,
`sqlite` the SQLite store (one file, the default) and `postgres` the PostgreSQL one
(`DATABASE_URL`), `opening` opens one of them with the base sources, and `parsing` turns an
upload's bytes into a checked source (`bot.answer.registry` keeps one answer engine per server).
"""
