# `migrate` means migrate_schemas on this platform (as in django-tenants), with our skipping.
from tenants.management.commands.migrate_schemas import Command

__all__ = ["Command"]
