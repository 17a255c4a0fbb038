"""A council app that exists only for tests and benchmarks of migrations across councils.

Installed by its own settings module (tests.migration_probe.settings), which a test passes
to a `migrate_schemas` subprocess: its one migration adds a nullable column and an index to
every council's cases table, as a real release's migration would.
"""
