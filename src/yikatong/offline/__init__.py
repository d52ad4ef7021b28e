"""Verified offline purchases (P7): records a POS's SAM made while offline, uploaded in batches."""
