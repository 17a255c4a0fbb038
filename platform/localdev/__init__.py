"""Local development helpers: embedded servers and the `make run` launcher.

Nothing here runs in production: when DATABASE_URL and REDIS_URL are set, these
helpers step aside and the same settings talk to the real servers.
"""
