"""The audit trail (X4): who, through which channel, when, what before and after."""
