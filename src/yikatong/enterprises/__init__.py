"""Group customers (集团客户): registration, their admin logins (E1)."""
