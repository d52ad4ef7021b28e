"""Small shared pieces every domain uses: errors, clock, money, pagination, state machines."""
