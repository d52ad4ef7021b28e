"""Cards: stock (C1), issuing (C2, M2, M3), enterprise sub-applications (C4), the lifecycle flows —
loss, unfreeze, replace, delete an application, cancel (C5–C9) — phone change (M5), the refused
transfer (M4), and the per-enterprise versioned blacklist (T3)."""
