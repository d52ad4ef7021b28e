"""C11: the webhook signature a receiver checks (docs/notifications.md has the receiver's snippet)."""

from __future__ import annotations

import hashlib
import hmac

from yikatong.notify.signing import signature, verify

BODY = '{"kind":"card.lost","card_no":"挂失卡"}'.encode()


def test_r_c11_signature_is_hmac_sha256_of_timestamp_dot_body():
    expected = hmac.new(b"k" * 20, b"1767225600." + BODY, hashlib.sha256).hexdigest()
    assert signature("k" * 20, 1767225600, BODY) == f"sha256={expected}"


def test_r_c11_receiver_rejects_tampering_wrong_secret_and_stale_timestamps():
    header = signature("secret-1", 1000, BODY)
    assert verify("secret-1", "1000", BODY, header, now=1000)
    assert not verify("secret-1", "1000", BODY + b" ", header, now=1000)  # body changed
    assert not verify("secret-2", "1000", BODY, header, now=1000)  # another secret
    assert not verify("secret-1", "1001", BODY, header, now=1001)  # timestamp changed
    assert not verify("secret-1", "1000", BODY, header, now=1000 + 301)  # replayed too late
    assert verify("secret-1", "1000", BODY, header, tolerance_s=None, now=10**10)
    assert not verify("secret-1", "soon", BODY, header) and not verify("secret-1", "1000", BODY, "", now=1000)
