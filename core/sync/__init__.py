"""Incremental sync of Odoo models into the ledger, with a scheduler and health tracking."""
