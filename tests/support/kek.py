"""The key-encryption key of every test database (and of the `ykt` subprocesses tests start): fixed
and public, as it protects nothing but test data. Production sets its own (docs/keys.md)."""

import base64
import hashlib

TEST_KEK = hashlib.sha256(b"yikatong test key-encryption key - never use in production").digest()
TEST_KEK_SETTING = base64.b64encode(TEST_KEK).decode()
