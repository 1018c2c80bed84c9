"""The sandbox models, with the field names, types and labels of Odoo 18.

The seven business models are served with res.users, so user names and
logins resolve like on a real server. Each model keeps the fields integrations read most (not every mail or
activity field Odoo adds), in Odoo's definition order, followed by the magic
fields every model has.
"""

from __future__ import annotations

from core.sandbox.schema import (
    ModelSpec,
    boolean,
    build_fields,
    char,
    date,
    datetime_,
    floating,
    html,
    integer,
    many2many,
    many2one,
    monetary,
    one2many,
    selection,
    text,
)

INTERNAL = "User types/Internal User"

# Names of records in models the sandbox does not serve, so many2one values
# still come out as [id, display_name] pairs.
REFERENCE_NAMES: dict[str, dict[int, str]] = {
    "res.company": {1: "My Company (San Francisco)"},
    "res.country": {233: "United States", 75: "France", 56: "Belgium", 82: "Germany"},
    "res.currency": {1: "USD", 2: "EUR"},
    "res.partner.category": {1: "Vendor", 2: "Prospect", 3: "Industrial"},
    "uom.uom": {1: "Units", 3: "kg", 7: "m", 12: "L"},
    "product.category": {1: "All", 2: "All / Saleable", 3: "All / Raw Materials", 4: "All / Spare Parts"},
    "product.template": {},
    "maintenance.equipment.category": {1: "Computers", 2: "Software", 3: "Machine Tools", 4: "Monitors", 5: "Pumps"},
    "maintenance.stage": {1: "New Request", 2: "In Progress", 3: "Repaired", 4: "Scrap"},
    "maintenance.team": {1: "Internal Maintenance", 2: "Subcontractor"},
    "stock.lot": {},
    "stock.quant.package": {},
    "stock.warehouse": {1: "San Francisco"},
    "purchase.order.line": {},
}

PARTNER = ModelSpec(
    name="res.partner",
    description="Contact",
    table="res_partner",
    order="complete_name asc, id desc",
    read_groups=(INTERNAL, "User types/Portal"),
    write_groups=(INTERNAL,),
    fields=build_fields(
        char("name", "Name"),
        char("complete_name", "Complete Name", readonly=True),
        many2one("parent_id", "Related Company", "res.partner"),
        one2many("child_ids", "Contact", "res.partner", "parent_id"),
        char("ref", "Reference"),
        selection("lang", "Language", (("en_US", "English (US)"), ("fr_FR", "French / Français"))),
        many2one("user_id", "Salesperson", "res.users"),
        char("vat", "Tax ID"),
        char("website", "Website Link"),
        html("comment", "Notes"),
        many2many("category_id", "Tags", "res.partner.category"),
        boolean("active", "Active"),
        selection(
            "type",
            "Address Type",
            (("contact", "Contact"), ("invoice", "Invoice Address"), ("delivery", "Delivery Address"), ("other", "Other Address")),
        ),
        char("street", "Street"),
        char("street2", "Street2"),
        char("zip", "Zip"),
        char("city", "City"),
        many2one("country_id", "Country", "res.country"),
        char("email", "Email"),
        char("phone", "Phone"),
        char("mobile", "Mobile"),
        boolean("is_company", "Is a Company"),
        integer("color", "Color Index"),
        many2one("company_id", "Company", "res.company"),
        integer("supplier_rank", "Supplier Rank"),
        integer("customer_rank", "Customer Rank"),
    ),
    defaults={"active": True, "type": "contact", "is_company": False, "color": 0, "supplier_rank": 0, "customer_rank": 0},
    display_name=lambda record, store: record["complete_name"] or "",
)

PRODUCT = ModelSpec(
    name="product.product",
    description="Product Variant",
    table="product_product",
    order="is_favorite desc, default_code asc, name asc, id asc",
    read_groups=(INTERNAL, "User types/Portal"),
    write_groups=("Inventory/Administrator", "Purchase/Administrator"),
    required_model=("Product", "product.template"),
    fields=build_fields(
        char("name", "Name", required=True),
        char("default_code", "Internal Reference"),
        char("barcode", "Barcode"),
        many2one("product_tmpl_id", "Product Template", "product.template", readonly=True),
        selection("type", "Product Type", (("consu", "Goods"), ("service", "Service"), ("combo", "Combo"))),
        many2one("categ_id", "Product Category", "product.category"),
        floating("list_price", "Sales Price"),
        floating("standard_price", "Cost"),
        floating("qty_available", "Quantity On Hand", readonly=True),
        floating("virtual_available", "Forecasted Quantity", readonly=True),
        many2one("uom_id", "Unit", "uom.uom"),
        floating("weight", "Weight"),
        floating("volume", "Volume"),
        boolean("sale_ok", "Can be Sold"),
        boolean("purchase_ok", "Can be Purchased"),
        boolean("is_favorite", "Favorite"),
        text("description", "Description"),
        boolean("active", "Active"),
        many2one("company_id", "Company", "res.company"),
    ),
    defaults={
        "type": "consu",
        "active": True,
        "sale_ok": True,
        "purchase_ok": True,
        "is_favorite": False,
        "list_price": 1.0,
        "standard_price": 0.0,
        "qty_available": 0.0,
        "virtual_available": 0.0,
        "weight": 0.0,
        "volume": 0.0,
        "uom_id": 1,
        "categ_id": 1,
    },
    display_name=lambda record, store: (
        f"[{record['default_code']}] {record['name']}" if record["default_code"] else record["name"] or ""
    ),
)

LOCATION = ModelSpec(
    name="stock.location",
    description="Inventory Locations",
    table="stock_location",
    order="complete_name asc, id asc",
    read_groups=("Inventory/User", INTERNAL),
    write_groups=("Inventory/Administrator",),
    fields=build_fields(
        char("name", "Location Name", required=True),
        char("complete_name", "Full Location Name", readonly=True),
        boolean("active", "Active"),
        selection(
            "usage",
            "Location Type",
            (
                ("supplier", "Vendor"),
                ("view", "Virtual"),
                ("internal", "Internal"),
                ("customer", "Customer"),
                ("inventory", "Inventory Loss"),
                ("production", "Production"),
                ("transit", "Transit"),
            ),
            required=True,
        ),
        many2one("location_id", "Parent Location", "stock.location"),
        one2many("child_ids", "Contains", "stock.location", "location_id"),
        many2one("warehouse_id", "Warehouse", "stock.warehouse", readonly=True),
        char("barcode", "Barcode"),
        boolean("scrap_location", "Is a Scrap Location?"),
        many2one("company_id", "Company", "res.company"),
    ),
    defaults={"active": True, "usage": "internal", "scrap_location": False, "company_id": 1},
    display_name=lambda record, store: record["complete_name"] or record["name"] or "",
)

QUANT = ModelSpec(
    name="stock.quant",
    description="Quants",
    table="stock_quant",
    order="id asc",
    read_groups=("Inventory/User", INTERNAL),
    write_groups=("Inventory/User",),
    fields=build_fields(
        many2one("product_id", "Product", "product.product", required=True),
        many2one("location_id", "Location", "stock.location", required=True),
        many2one("lot_id", "Lot/Serial Number", "stock.lot"),
        many2one("package_id", "Package", "stock.quant.package"),
        many2one("owner_id", "Owner", "res.partner"),
        floating("quantity", "Quantity", readonly=True),
        floating("reserved_quantity", "Reserved Quantity", readonly=True),
        floating("inventory_quantity", "Counted Quantity"),
        datetime_("in_date", "Incoming Date", readonly=True),
        many2one("product_uom_id", "Unit", "uom.uom", readonly=True),
        many2one("company_id", "Company", "res.company", readonly=True),
    ),
    defaults={"quantity": 0.0, "reserved_quantity": 0.0, "inventory_quantity": 0.0, "product_uom_id": 1, "company_id": 1},
    display_name=lambda record, store: store.display_name("stock.location", record["location_id"]),
)

EQUIPMENT = ModelSpec(
    name="maintenance.equipment",
    description="Maintenance Equipment",
    table="maintenance_equipment",
    order="id asc",
    read_groups=("Maintenance/Equipment Manager", INTERNAL),
    write_groups=("Maintenance/Equipment Manager",),
    fields=build_fields(
        char("name", "Equipment Name", required=True),
        boolean("active", "Active"),
        many2one("owner_user_id", "Owner", "res.users"),
        many2one("category_id", "Equipment Category", "maintenance.equipment.category"),
        many2one("partner_id", "Vendor", "res.partner"),
        char("partner_ref", "Vendor Reference"),
        char("location", "Location"),
        char("model", "Model"),
        char("serial_no", "Serial Number"),
        date("assign_date", "Assigned Date"),
        date("effective_date", "Effective Date", required=True),
        floating("cost", "Cost"),
        html("note", "Note"),
        date("warranty_date", "Warranty Expiration Date"),
        integer("color", "Color Index"),
        date("scrap_date", "Scrap Date"),
        one2many("maintenance_ids", "Maintenance", "maintenance.request", "equipment_id"),
        many2one("technician_user_id", "Technician", "res.users"),
        many2one("maintenance_team_id", "Maintenance Team", "maintenance.team"),
        integer("expected_mtbf", "Expected MTBF"),
        many2one("company_id", "Company", "res.company"),
    ),
    defaults={"active": True, "cost": 0.0, "color": 0, "expected_mtbf": 0, "company_id": 1, "maintenance_team_id": 1},
    display_name=lambda record, store: (
        f"{record['name']}/{record['serial_no']}" if record["serial_no"] else record["name"] or ""
    ),
)

PRIORITIES = (("0", "Very Low"), ("1", "Low"), ("2", "Normal"), ("3", "High"))

REQUEST = ModelSpec(
    name="maintenance.request",
    description="Maintenance Request",
    table="maintenance_request",
    order="id desc",
    read_groups=("Maintenance/Equipment Manager", INTERNAL),
    write_groups=("Maintenance/Equipment Manager", INTERNAL),
    fields=build_fields(
        char("email_cc", "Email cc"),
        char("name", "Subjects", required=True),
        many2one("company_id", "Company", "res.company", required=True),
        html("description", "Description"),
        date("request_date", "Request Date"),
        many2one("owner_user_id", "Created by User", "res.users"),
        many2one("category_id", "Category", "maintenance.equipment.category", readonly=True),
        many2one("equipment_id", "Equipment", "maintenance.equipment"),
        many2one("user_id", "Technician", "res.users"),
        many2one("stage_id", "Stage", "maintenance.stage"),
        selection("priority", "Priority", PRIORITIES),
        integer("color", "Color Index"),
        date("close_date", "Close Date"),
        selection(
            "kanban_state",
            "Kanban State",
            (("normal", "In Progress"), ("blocked", "Blocked"), ("done", "Ready for next stage")),
            required=True,
        ),
        boolean("archive", "Archive"),
        selection("maintenance_type", "Maintenance Type", (("corrective", "Corrective"), ("preventive", "Preventive"))),
        datetime_("schedule_date", "Scheduled Date"),
        many2one("maintenance_team_id", "Team", "maintenance.team", required=True),
        floating("duration", "Duration"),
        boolean("done", "Request Done", readonly=True),
    ),
    defaults={
        "company_id": 1,
        "stage_id": 1,
        "kanban_state": "normal",
        "archive": False,
        "maintenance_type": "corrective",
        "maintenance_team_id": 1,
        "color": 0,
        "duration": 0.0,
        "done": False,
    },
)

PURCHASE_STATES = (
    ("draft", "RFQ"),
    ("sent", "RFQ Sent"),
    ("to approve", "To Approve"),
    ("purchase", "Purchase Order"),
    ("done", "Locked"),
    ("cancel", "Cancelled"),
)

PURCHASE = ModelSpec(
    name="purchase.order",
    description="Purchase Order",
    table="purchase_order",
    order="priority desc, id desc",
    read_groups=("Purchase/User",),
    write_groups=("Purchase/User",),
    fields=build_fields(
        selection("priority", "Priority", (("0", "Normal"), ("1", "Urgent"))),
        char("name", "Order Reference", required=True),
        char("origin", "Source Document"),
        char("partner_ref", "Vendor Reference"),
        datetime_("date_order", "Order Deadline", required=True),
        datetime_("date_approve", "Confirmation Date", readonly=True),
        many2one("partner_id", "Vendor", "res.partner", required=True),
        many2one("currency_id", "Currency", "res.currency", required=True),
        selection("state", "Status", PURCHASE_STATES, readonly=True),
        one2many("order_line", "Order Lines", "purchase.order.line", "order_id"),
        html("notes", "Terms and Conditions"),
        selection(
            "invoice_status",
            "Billing Status",
            (("no", "Nothing to Bill"), ("to invoice", "Waiting Bills"), ("invoiced", "Fully Billed")),
            readonly=True,
        ),
        datetime_("date_planned", "Expected Arrival"),
        monetary("amount_untaxed", "Untaxed Amount", readonly=True),
        monetary("amount_tax", "Taxes", readonly=True),
        monetary("amount_total", "Total", readonly=True),
        many2one("user_id", "Buyer", "res.users"),
        many2one("company_id", "Company", "res.company", required=True),
    ),
    defaults={
        "priority": "0",
        "state": "draft",
        "invoice_status": "no",
        "currency_id": 1,
        "company_id": 1,
        "amount_untaxed": 0.0,
        "amount_tax": 0.0,
        "amount_total": 0.0,
    },
)

USER = ModelSpec(
    name="res.users",
    description="User",
    table="res_users",
    order="name asc, login asc",
    read_groups=(INTERNAL, "User types/Portal"),
    write_groups=("Administration/Access Rights",),
    fields=build_fields(
        char("name", "Name", required=True),
        char("login", "Login", required=True),
        many2one("partner_id", "Related Partner", "res.partner"),
        char("email", "Email"),
        boolean("active", "Active"),
        boolean("share", "Share User", readonly=True),
        many2one("company_id", "Company", "res.company", required=True),
    ),
    defaults={"active": True, "share": False, "company_id": 1},
)

MODELS: dict[str, ModelSpec] = {
    spec.name: spec for spec in (PARTNER, PRODUCT, LOCATION, QUANT, EQUIPMENT, REQUEST, PURCHASE, USER)
}
