"""Headless onboarding: the logic behind the wizard and ``odoo-relay connections``.

Steps, in the order a person meets them: check the URL (``check_url``),
probe the server for its databases (``discover_server``), log in and check
each stream (``test_connection``), then save everything in one transaction
(``finish_onboarding``). Every failure is an ``OnboardingError`` whose
``failure`` names the cause and the fix.
"""

from core.onboarding.access import (
    ConnectionDisabledError,
    ReconnectRequiredError,
    TokenRejectedError,
    UnknownTokenError,
    authenticate_token,
)
from core.onboarding.draft import ConnectionDraft, EndpointDraft, check_interval, default_name, parse_event_filter
from core.onboarding.failures import Attempt, Cause, Failure, classify
from core.onboarding.finish import (
    CredentialsChanged,
    Onboarded,
    change_credentials,
    finish_onboarding,
    rotate_token,
    stream_specs_for,
)
from core.onboarding.probe import (
    ConnectionTest,
    Credentials,
    OnboardingError,
    ServerFacts,
    StreamCheck,
    check_stream,
    discover_server,
    open_client,
    test_connection,
)
from core.onboarding.test_event import TestEventResult, send_test_event
from core.onboarding.urls import CheckedUrl, InvalidUrlError, check_endpoint_url, check_url, is_loopback_host

__all__ = [
    "Attempt",
    "Cause",
    "CheckedUrl",
    "ConnectionDisabledError",
    "ConnectionDraft",
    "ConnectionTest",
    "Credentials",
    "CredentialsChanged",
    "EndpointDraft",
    "Failure",
    "InvalidUrlError",
    "Onboarded",
    "OnboardingError",
    "ReconnectRequiredError",
    "ServerFacts",
    "StreamCheck",
    "TestEventResult",
    "TokenRejectedError",
    "UnknownTokenError",
    "authenticate_token",
    "change_credentials",
    "check_endpoint_url",
    "check_interval",
    "check_stream",
    "check_url",
    "classify",
    "default_name",
    "discover_server",
    "finish_onboarding",
    "is_loopback_host",
    "open_client",
    "parse_event_filter",
    "rotate_token",
    "send_test_event",
    "stream_specs_for",
    "test_connection",
]
