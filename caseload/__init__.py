"""Caseload: enquiries, constituents, officers, case history (tenant app)."""
