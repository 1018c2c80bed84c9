"""The HTTP API: per-connection bearer tokens, status, events, records, deliveries."""

from core.api.app import create_api_app
from core.api.context import ApiSettings
from core.api.ratelimit import RateLimit

__all__ = ["ApiSettings", "RateLimit", "create_api_app"]
