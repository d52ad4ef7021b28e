"""The virtual CPU card, the virtual SAM/PSAM and a small terminal helper (T1, C3, P7).

A card is its persistent state (``state.CardState``: keys, purse, counters, files, log — savable as
bytes or a file) plus the volatile session a reader sees between power-ups (selected file,
challenge, pending purse transaction). See docs/card-os.md.
"""

from yikatong.cardos.card import VirtualCard
from yikatong.cardos.sam import SamKey, VirtualSAM
from yikatong.cardos.state import CardState, KeySlot

__all__ = ["CardState", "KeySlot", "SamKey", "VirtualCard", "VirtualSAM"]
