"""The default streams: unified entities mapped to Odoo models, domains and fields.

Every field list starts with ``id`` and ``write_date`` (the sync cursor) and
includes the archive flag where the model has one, so archiving a record shows
up as an update. Fields a server lacks are dropped at sync time (see
``core.sync.fields``), so one list serves Odoo 17, 18 and 19.
"""

from __future__ import annotations

from core.ledger.models import StreamSpec

# Fields the cursor and the content hash depend on; a model without them
# cannot be synced incrementally.
REQUIRED_FIELDS = ("id", "write_date")

ASSETS = StreamSpec(
    name="assets",
    model="maintenance.equipment",
    fields=[
        "id", "write_date", "active", "name", "category_id", "serial_no", "model",
        "location", "partner_id", "owner_user_id", "maintenance_team_id",
        "technician_user_id", "assign_date", "warranty_date", "cost", "company_id",
    ],
)

# maintenance.request has no ``active`` field; Odoo archives requests with
# the boolean ``archive`` instead.
WORK_ORDERS = StreamSpec(
    name="work_orders",
    model="maintenance.request",
    fields=[
        "id", "write_date", "archive", "name", "equipment_id", "stage_id",
        "request_date", "schedule_date", "close_date", "maintenance_type", "priority",
        "kanban_state", "user_id", "maintenance_team_id", "duration", "company_id",
    ],
)

PURCHASE_ORDERS = StreamSpec(
    name="purchase_orders",
    model="purchase.order",
    fields=[
        "id", "write_date", "name", "partner_id", "partner_ref", "state", "date_order",
        "date_planned", "date_approve", "amount_untaxed", "amount_total", "currency_id",
        "user_id", "origin", "invoice_status", "company_id",
    ],
)

INVENTORY_ITEMS = StreamSpec(
    name="inventory_items",
    model="product.product",
    fields=[
        "id", "write_date", "active", "name", "default_code", "barcode", "type",
        "categ_id", "uom_id", "list_price", "standard_price", "product_tmpl_id", "company_id",
    ],
)

STOCK_LEVELS = StreamSpec(
    name="stock_levels",
    model="stock.quant",
    fields=[
        "id", "write_date", "product_id", "location_id", "lot_id", "quantity",
        "reserved_quantity", "in_date", "company_id",
    ],
)

VENDORS = StreamSpec(
    name="vendors",
    model="res.partner",
    domain=[("supplier_rank", ">", 0)],
    fields=[
        "id", "write_date", "active", "name", "is_company", "ref", "email", "phone",
        "vat", "street", "city", "zip", "country_id", "supplier_rank", "company_id",
    ],
)

LOCATIONS = StreamSpec(
    name="locations",
    model="stock.location",
    fields=[
        "id", "write_date", "active", "name", "complete_name", "usage", "location_id",
        "barcode", "company_id",
    ],
)

DEFAULT_STREAMS: list[StreamSpec] = [
    ASSETS,
    WORK_ORDERS,
    PURCHASE_ORDERS,
    INVENTORY_ITEMS,
    STOCK_LEVELS,
    VENDORS,
    LOCATIONS,
]


def default_stream(name: str) -> StreamSpec:
    """Return the default stream called ``name``; raise ValueError naming the valid ones."""
    for spec in DEFAULT_STREAMS:
        if spec.name == name:
            return spec
    known = ", ".join(spec.name for spec in DEFAULT_STREAMS)
    raise ValueError(f"unknown stream {name!r}; expected one of: {known}")
