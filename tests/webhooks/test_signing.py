"""Standard Webhooks signing, checked against the published test vector and
the independent ``standardwebhooks`` package."""

import base64
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError as PackageVerificationError

from core.secrets import Secret
from core.webhooks.signing import (
    WebhookVerificationError,
    decode_secret,
    generate_secret,
    sign,
    sign_all,
    verify,
)

VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def _headers(msg_id: str, timestamp: int, signature: str) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def test_sign_matches_test_vector():
    assert sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE
    assert sign(Secret(VECTOR_SECRET), VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE


def test_package_agrees_on_test_vector():
    package_signature = Webhook(VECTOR_SECRET).sign(
        VECTOR_ID, datetime.fromtimestamp(VECTOR_TIMESTAMP, UTC), VECTOR_BODY
    )

    assert package_signature == VECTOR_SIGNATURE


def test_verify_accepts_test_vector():
    headers = _headers(VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_SIGNATURE)

    assert verify(VECTOR_SECRET, headers, VECTOR_BODY, now=VECTOR_TIMESTAMP + 10) == VECTOR_ID


def test_generate_secret_format():
    secret = generate_secret()
    value = secret.reveal()

    assert isinstance(secret, Secret)
    assert value.startswith("whsec_")
    assert len(base64.b64decode(value.removeprefix("whsec_"))) == 32
    assert generate_secret() != secret
    assert value not in repr(secret)


def test_generated_secret_verified_by_package():
    secret = generate_secret()
    now = int(datetime.now(UTC).timestamp())
    body = b'{"id": "evt_1", "type": "record.created"}'

    signature = sign(secret, "evt_1", now, body)

    assert Webhook(secret.reveal()).verify(body, _headers("evt_1", now, signature)) == {
        "id": "evt_1",
        "type": "record.created",
    }


def test_sign_all_with_two_secrets_verifies_each():
    old, new = generate_secret(), generate_secret()
    now = int(datetime.now(UTC).timestamp())
    body = b"{}"

    header = sign_all([new, old], "evt_2", now, body)

    assert len(header.split(" ")) == 2
    for secret in (old, new):
        Webhook(secret.reveal()).verify(body, _headers("evt_2", now, header))
        assert verify(secret, _headers("evt_2", now, header), body) == "evt_2"


def test_package_rejects_wrong_secret():
    now = int(datetime.now(UTC).timestamp())
    signature = sign(generate_secret(), "evt_3", now, b"{}")

    with pytest.raises(PackageVerificationError):
        Webhook(generate_secret().reveal()).verify(b"{}", _headers("evt_3", now, signature))


def test_verify_rejects_tampered_body():
    secret = generate_secret()
    headers = _headers("evt_4", 1000, sign(secret, "evt_4", 1000, b'{"a": 1}'))

    with pytest.raises(WebhookVerificationError, match="no matching signature for webhook-id evt_4"):
        verify(secret, headers, b'{"a": 2}', now=1000)


def test_verify_rejects_old_timestamp():
    secret = generate_secret()
    headers = _headers("evt_5", 1000, sign(secret, "evt_5", 1000, b"{}"))

    with pytest.raises(WebhookVerificationError, match="outside the 300 s tolerance"):
        verify(secret, headers, b"{}", now=1000 + 301)


def test_verify_accepts_timestamp_within_tolerance():
    secret = generate_secret()
    headers = _headers("evt_6", 1000, sign(secret, "evt_6", 1000, b"{}"))

    assert verify(secret, headers, b"{}", now=1000 - 299) == "evt_6"


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_verify_reports_missing_header(missing):
    secret = generate_secret()
    headers = _headers("evt_7", 1000, sign(secret, "evt_7", 1000, b"{}"))
    del headers[missing]

    with pytest.raises(WebhookVerificationError, match=f"missing {missing} header"):
        verify(secret, headers, b"{}", now=1000)


def test_verify_reads_headers_case_insensitively():
    secret = generate_secret()
    headers = {
        "Webhook-Id": "evt_8",
        "Webhook-Timestamp": "1000",
        "Webhook-Signature": sign(secret, "evt_8", 1000, b"{}"),
    }

    assert verify(secret, headers, b"{}", now=1000) == "evt_8"


def test_verify_rejects_non_integer_timestamp():
    secret = generate_secret()
    headers = _headers("evt_9", 1000, sign(secret, "evt_9", 1000, b"{}"))
    headers["webhook-timestamp"] = "yesterday"

    with pytest.raises(WebhookVerificationError, match="invalid webhook-timestamp 'yesterday'"):
        verify(secret, headers, b"{}", now=1000)


def test_decode_secret_accepts_unpadded_base64():
    assert decode_secret("whsec_AAAA") == b"\x00\x00\x00"
    assert decode_secret("whsec_AAA") == b"\x00\x00"


def test_decode_secret_rejects_empty_key():
    with pytest.raises(ValueError, match="the key after whsec_ is empty"):
        decode_secret("whsec_")


def test_decode_secret_error_hides_value():
    with pytest.raises(ValueError, match="invalid webhook secret") as raised:
        decode_secret("whsec_!!hunter2!!")

    assert "hunter2" not in str(raised.value)


def test_sign_all_requires_a_secret():
    with pytest.raises(ValueError, match="without a secret"):
        sign_all([], "evt_10", 1000, b"{}")
