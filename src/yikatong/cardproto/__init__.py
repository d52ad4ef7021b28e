"""Card protocol primitives shared by the virtual card, the SAM, the terminals and the key service:
the algorithm profiles (3DES, SM4), key diversification, the purse MAC1/MAC2/TAC computations, the
field encodings and APDU framing. Pure functions, no state, no database (T1).

See ../shared/CARD-PROTOCOL.md for the sources and docs/card-os.md for the product's own choices.
"""
