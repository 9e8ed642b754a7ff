"""Where a server's sources live: the base set everyone starts from plus what its moderators add.

`base` is the interface (what a store must do), `sqlite` the SQLite store, `parsing` turns an
upload's bytes into a checked source, and `registry` keeps one answer engine per server.
"""
