"""The council's data exit (issue 14): the full casework export, requested by one council
admin and approved by another, built by a Celery task into an expiring archive.

`dataexit.archive` writes the archive's format on its own (no permissions, no requests), so
an importer (issue 15) can be written against the same format.
"""
