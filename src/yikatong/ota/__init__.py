"""Over the air (C3, C4, P1): the channel to a member's card through the phone network and the SIM,
washing a card at issue and loading its chip purse together with the ledger. See docs/ota.md."""
