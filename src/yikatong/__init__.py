"""Yikatong (一卡通): the enterprise one-card platform."""

__version__ = "0.1.0"
