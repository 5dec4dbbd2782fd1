"""REST resources under /api/v1/ (DESIGN §10), named in the singular."""
