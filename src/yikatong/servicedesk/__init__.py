"""Customer-service desk: tiered work orders, on-site dispatch and SLA (S1–S8)."""
