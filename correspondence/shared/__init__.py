"""Platform-wide correspondence templates, kept by the central body (public schema).

A SHARED app: its one table lives in `public`, and every council reads it through the search
path. A council's own copies live in the tenant app `correspondence` (CouncilTemplate, keyed
by the same `key`), which is how a council's version replaces the shared one for that council
alone and why a later change to the shared template never overwrites it.
"""
