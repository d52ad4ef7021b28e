"""Notifications: the transactional outbox (C11), signed webhooks to application subsystems, the SMS
queue with pluggable gateways (P6), and the worker that delivers them."""
