"""Terminals (终端机具, T2): registered devices of an enterprise with their own credentials."""
