"""Who may do what (roles as data) and what each user may see (one row scope)."""
