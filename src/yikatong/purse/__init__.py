"""The purse (电子钱包): a double-entry ledger in whole fen (P8) for top-up, purchase, undo, expiry,
carry-over on replacement, refund on cancellation, and merchant settlement."""
