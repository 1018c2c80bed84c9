"""Signed webhook delivery: signing, sending, retry schedule and the dispatcher."""
