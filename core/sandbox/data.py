"""Deterministic demo data: a small industrial company with vendors, stock and machines.

The same seed always gives the same records and the same time offsets.
``create_date`` and ``write_date`` are those offsets before the moment the
store is filled, so every later change is newer than the demo data. ``scale`` adds
generated records to reach a record count per model, for benchmarks.
"""

from __future__ import annotations

import datetime as dt
import random

from core.sandbox.models import MODELS
from core.sandbox.store import Store, utc_now

COMPANY_NAME = "My Company (San Francisco)"
CITIES = [
    ("San Francisco", 233, "94107"),
    ("Lyon", 75, "69002"),
    ("Antwerp", 56, "2000"),
    ("Stuttgart", 82, "70173"),
    ("Houston", 233, "77002"),
    ("Detroit", 233, "48201"),
]
VENDOR_STEMS = [
    "Apex Bearings", "Northwind Hydraulics", "Ferro Castings", "Delta Pumps", "Ironclad Fasteners",
    "Vector Motion", "Bolt & Nut Supply", "Summit Filtration", "Precision Gearworks", "Atlas Compressors",
    "Keystone Seals", "Rivet Industrial", "Orion Sensors", "Titan Welding Supply", "Cobalt Tooling",
    "Meridian Lubricants", "Granite Conveyors", "Pioneer Electric Motors", "Harbor Valves", "Quantum Controls",
]
CUSTOMER_STEMS = [
    "Riverside Packaging", "Blue Ridge Foods", "Crestline Automotive", "Evergreen Paper Mill", "Lakeside Brewery",
    "Redwood Furniture", "Stonebridge Plastics", "Sunrise Textiles", "Westfield Metals", "Oakmont Pharma",
    "Pinnacle Aerospace", "Silverline Glassworks", "Highland Dairy", "Coastal Shipyard", "Ironwood Mining",
]
SUFFIXES = ["Inc.", "GmbH", "Ltd", "S.A.", "LLC", "B.V."]
FIRST_NAMES = ["Alex", "Maria", "Jonas", "Priya", "Tom", "Chen", "Sofia", "Luca", "Amara", "Ben", "Ines", "Omar"]
LAST_NAMES = ["Keller", "Dubois", "Janssens", "Okafor", "Novak", "Garcia", "Schmidt", "Rossi", "Tanaka", "Moreau"]
# Name, reference prefix, list price, product category id and the sizes sold.
PRODUCT_KINDS = [
    ("Deep Groove Ball Bearing", "BRG", 12.5, 3, ["6204", "6205", "6305", "6308"]),
    ("Hydraulic Filter Element", "FLT", 48.0, 4, ["10 µm", "25 µm"]),
    ("V-Belt", "BLT", 9.9, 4, ["A42", "B55", "SPZ 1250"]),
    ("Induction Motor", "MOT", 640.0, 2, ["0.75 kW", "2.2 kW", "7.5 kW"]),
    ("Proximity Sensor", "SEN", 85.0, 2, ["M12", "M18"]),
    ("Shaft Seal", "SEA", 6.4, 4, ["25x40x7", "40x62x8"]),
    ("Gear Pump", "PMP", 910.0, 2, ["4 cc", "11 cc"]),
    ("Hex Bolt Box", "BLZ", 19.0, 3, ["M6", "M8", "M10"]),
    ("Cutting Insert", "INS", 14.2, 2, ["CNMG 12", "WNMG 08"]),
    ("Lubricating Oil", "OIL", 7.5, 3, ["5 L", "20 L"]),
    ("Pneumatic Valve", "VLV", 120.0, 2, ["G1/4", "G1/2"]),
    ("Conveyor Roller", "ROL", 33.0, 2, ["50 mm", "89 mm"]),
    ("Servo Drive", "SRV", 1450.0, 2, ["1 kW", "3 kW"]),
    ("Coupling", "CPL", 58.0, 2, ["DN25", "DN50"]),
    ("Pressure Gauge", "GAU", 27.0, 2, ["0-10 bar", "0-250 bar"]),
    ("Welding Wire Spool", "WLD", 41.0, 3, ["0.8 mm", "1.2 mm"]),
]
EQUIPMENT_KINDS = [
    ("CNC Lathe", 3, "Haas ST-20"), ("Hydraulic Press", 3, "Schuler HP-250"), ("Air Compressor", 5, "Atlas GA30"),
    ("Conveyor Line", 3, "Interroll CL-4"), ("Centrifugal Pump", 5, "Grundfos CR10"), ("Welding Robot", 3, "Fanuc ARC-100"),
    ("Industrial Monitor", 4, "Samsung S24"), ("Workstation", 1, "Dell Precision 3660"), ("Laser Cutter", 3, "Trumpf 3030"),
    ("Cooling Tower Fan", 5, "Baltimore VT1"),
]
REQUEST_SUBJECTS = [
    "Spindle vibration above limit", "Hydraulic oil leak", "Replace worn V-belt", "Quarterly lubrication",
    "Sensor calibration", "Motor overheating", "Annual safety inspection", "Filter change", "Noise from gearbox",
    "Software update", "Emergency stop not working", "Coolant pump failure",
]
USERS = [2, 6]
# uid, login, name, portal user: the logins of core.sandbox.users plus OdooBot.
SANDBOX_USERS = [
    (1, "__system__", "OdooBot", False),
    (2, "admin", "Mitchell Admin", False),
    (6, "demo", "Marc Demo", False),
    (8, "nostock", "Nina Stockless", False),
    (9, "portaluser", "Pat Portal", True),
]


def fill(store: Store, seed: int, scale: dict[str, int] | None = None) -> None:
    """Fill an empty store with the demo data for ``seed``, then grow models to ``scale``."""
    rng = random.Random(seed)
    anchor = utc_now()
    with store.lock:
        _partners(store, rng, anchor)
        _users(store, rng, anchor)
        _locations(store, rng, anchor)
        _products(store, rng, anchor)
        _quants(store, rng, anchor)
        _equipment(store, rng, anchor)
        _requests(store, rng, anchor)
        _purchase_orders(store, rng, anchor)
        for model, target in (scale or {}).items():
            grow(store, model, target, seed=seed)


def grow(store: Store, model: str, target: int, *, seed: int = 1) -> int:
    """Add generated records until ``model`` has ``target`` records; returns how many were added."""
    if model not in MODELS:
        raise ValueError(f"cannot scale unknown model {model!r}; use one of: {', '.join(MODELS)}")
    if model == "res.users":
        raise ValueError("res.users cannot be scaled: its records are the sandbox's logins")
    builders = {
        "res.partner": _partner_values,
        "product.product": _product_values,
        "stock.location": _location_values,
        "stock.quant": _quant_values,
        "maintenance.equipment": _equipment_values,
        "maintenance.request": _request_values,
        "purchase.order": _purchase_values,
    }
    rng = random.Random(f"{seed}:{model}")
    anchor = utc_now()
    added = 0
    with store.lock:
        while len(store.tables[model]) < target:
            index = store.next_id(model)
            _insert(store, model, builders[model](store, rng, index), rng, anchor)
            added += 1
        store.versions[model] += 1
    return added


def _insert(store: Store, model: str, values: dict, rng: random.Random, anchor: dt.datetime, record_id: int | None = None) -> int:
    """Insert a generated record directly, with deterministic past timestamps."""
    created = anchor - dt.timedelta(days=rng.randint(30, 400), seconds=rng.randint(0, 86399), microseconds=rng.randint(0, 999999))
    written = min(anchor, created + dt.timedelta(days=rng.randint(0, 29), seconds=rng.randint(0, 86399)))
    return store.insert_generated(model, values, created=created, written=written, uid=rng.choice(USERS), record_id=record_id)


def _pick(rng: random.Random, items: list):
    return items[rng.randrange(len(items))]


# -- res.partner -------------------------------------------------------------


def _partners(store: Store, rng: random.Random, anchor: dt.datetime) -> None:
    _insert(store, "res.partner", {"name": COMPANY_NAME, "is_company": True, "city": "San Francisco", "country_id": 233, "company_id": 1}, rng, anchor)
    for index, stem in enumerate(VENDOR_STEMS):
        values = _company_values(rng, stem)
        values.update(supplier_rank=rng.randint(1, 12), ref=f"V{index + 1:04d}")
        vendor_id = _insert(store, "res.partner", values, rng, anchor)
        _contacts(store, rng, anchor, vendor_id, values)
    for index, stem in enumerate(CUSTOMER_STEMS):
        values = _company_values(rng, stem)
        values.update(customer_rank=rng.randint(1, 20), ref=f"C{index + 1:04d}")
        customer_id = _insert(store, "res.partner", values, rng, anchor)
        _contacts(store, rng, anchor, customer_id, values)
    archived = _pick(rng, list(store.tables["res.partner"])[1:])
    store.tables["res.partner"][archived]["active"] = False


def _company_values(rng: random.Random, stem: str) -> dict:
    city, country, zip_code = _pick(rng, CITIES)
    slug = stem.lower().replace(" & ", "-").replace(" ", "-")
    return {
        "name": f"{stem} {_pick(rng, SUFFIXES)}",
        "is_company": True,
        "street": f"{rng.randint(1, 999)} Industrial Park Road",
        "city": city,
        "zip": zip_code,
        "country_id": country,
        "email": f"sales@{slug}.example.com",
        "phone": f"+1 555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
        "website": f"https://{slug}.example.com",
        "category_id": [3] if rng.random() < 0.5 else [],
        "company_id": 1,
    }


def _users(store: Store, rng: random.Random, anchor: dt.datetime) -> None:
    """Insert the users of ``core.sandbox.users`` with their partners, keeping their uids."""
    for uid, login, name, share in SANDBOX_USERS:
        email = f"{login}@example.com"
        partner_id = _insert(store, "res.partner", {"name": name, "email": email, "company_id": 1}, rng, anchor)
        values = {"name": name, "login": login, "partner_id": partner_id, "email": email, "share": share, "active": uid != 1}
        _insert(store, "res.users", values, rng, anchor, record_id=uid)


def _contacts(store: Store, rng: random.Random, anchor: dt.datetime, parent_id: int, company: dict) -> None:
    for _ in range(rng.randint(0, 2)):
        first, last = _pick(rng, FIRST_NAMES), _pick(rng, LAST_NAMES)
        domain = company["email"].split("@")[1]
        values = {
            "name": f"{first} {last}",
            "parent_id": parent_id,
            "email": f"{first.lower()}.{last.lower()}@{domain}",
            "phone": company["phone"],
            "city": company["city"],
            "country_id": company["country_id"],
            "company_id": 1,
        }
        _insert(store, "res.partner", values, rng, anchor)


def _partner_values(store: Store, rng: random.Random, index: int) -> dict:
    values = _company_values(rng, f"{_pick(rng, VENDOR_STEMS + CUSTOMER_STEMS)} {index}")
    if rng.random() < 0.5:
        values["supplier_rank"] = rng.randint(1, 5)
    else:
        values["customer_rank"] = rng.randint(1, 5)
    return values


# -- stock.location, product.product, stock.quant -----------------------------


LOCATION_TREE = [
    ("Physical Locations", None, "view"),
    ("Partners", None, "view"),
    ("Virtual Locations", None, "view"),
    ("Vendors", "Partners", "supplier"),
    ("Customers", "Partners", "customer"),
    ("WH", "Physical Locations", "view"),
    ("Stock", "WH", "internal"),
    ("Input", "WH", "internal"),
    ("Output", "WH", "internal"),
    ("Inventory adjustment", "Virtual Locations", "inventory"),
    ("Production", "Virtual Locations", "production"),
    ("Scrap", "Virtual Locations", "inventory"),
]


def _locations(store: Store, rng: random.Random, anchor: dt.datetime) -> None:
    ids: dict[str, int] = {}
    for name, parent, usage in LOCATION_TREE:
        values = {"name": name, "location_id": ids.get(parent), "usage": usage, "scrap_location": name == "Scrap"}
        if parent == "WH" or name == "WH":
            values["warehouse_id"] = 1
        ids[name] = _insert(store, "stock.location", values, rng, anchor)
    for aisle in "ABC":
        for shelf in range(1, 4):
            values = {"name": f"Shelf {aisle}{shelf}", "location_id": ids["Stock"], "usage": "internal", "warehouse_id": 1, "barcode": f"WH-{aisle}{shelf}"}
            _insert(store, "stock.location", values, rng, anchor)


def _location_values(store: Store, rng: random.Random, index: int) -> dict:
    stock = next(record_id for record_id, record in store.tables["stock.location"].items() if record["complete_name"] == "WH/Stock")
    return {"name": f"Bin {index:06d}", "location_id": stock, "usage": "internal", "warehouse_id": 1, "barcode": f"BIN-{index:06d}"}


def _products(store: Store, rng: random.Random, anchor: dt.datetime) -> None:
    for index in range(1, 61):
        _insert(store, "product.product", _product_values(store, rng, index), rng, anchor)
    _insert(store, "product.product", {"name": "On-site Repair Service", "default_code": "SRV-REPAIR", "type": "service", "list_price": 95.0, "uom_id": 1}, rng, anchor)
    archived = _insert(store, "product.product", {"name": "Discontinued Drive Belt", "default_code": "BLT-OLD", "list_price": 5.0}, rng, anchor)
    store.tables["product.product"][archived]["active"] = False


def _product_values(store: Store, rng: random.Random, index: int) -> dict:
    kind, prefix, price, category, sizes = _pick(rng, PRODUCT_KINDS)
    size = _pick(rng, sizes)
    quantity = float(rng.choice([0, 0, rng.randint(1, 500)]))
    return {
        "name": f"{kind} {size}",
        "default_code": f"{prefix}-{index:05d}",
        "barcode": f"{400000000000 + index:013d}",
        "type": "consu",
        "categ_id": category,
        "list_price": round(price * rng.uniform(0.8, 1.4), 2),
        "standard_price": round(price * rng.uniform(0.4, 0.7), 2),
        "qty_available": quantity,
        "virtual_available": quantity,
        "uom_id": 12 if "Oil" in kind else 1,
        "weight": round(rng.uniform(0.05, 80.0), 2),
        "sale_ok": True,
        "purchase_ok": True,
        "is_favorite": rng.random() < 0.05,
    }


def _quants(store: Store, rng: random.Random, anchor: dt.datetime) -> None:
    for _ in range(120):
        _insert(store, "stock.quant", _quant_values(store, rng, 0), rng, anchor)


def _quant_values(store: Store, rng: random.Random, index: int) -> dict:
    internal = [record_id for record_id, record in store.tables["stock.location"].items() if record["usage"] == "internal"]
    products = [record_id for record_id, record in store.tables["product.product"].items() if record["type"] == "consu"]
    quantity = float(rng.randint(1, 600))
    return {
        "product_id": _pick(rng, products),
        "location_id": _pick(rng, internal),
        "quantity": quantity,
        "reserved_quantity": float(rng.choice([0, 0, 0, rng.randint(0, int(quantity))])),
        "inventory_quantity": 0.0,
        "in_date": dt.datetime(2025, 3, 1, 7) + dt.timedelta(days=rng.randint(0, 500), minutes=rng.randint(0, 600)),
    }


# -- maintenance and purchase -------------------------------------------------


def _equipment(store: Store, rng: random.Random, anchor: dt.datetime) -> None:
    for index in range(1, 41):
        _insert(store, "maintenance.equipment", _equipment_values(store, rng, index), rng, anchor)


def _equipment_values(store: Store, rng: random.Random, index: int) -> dict:
    kind, category, model = _pick(rng, EQUIPMENT_KINDS)
    vendors = [record_id for record_id, record in store.tables["res.partner"].items() if record["supplier_rank"]]
    owner = rng.choice(USERS)
    return {
        "name": f"{kind} #{index}",
        "category_id": category,
        "model": model,
        "serial_no": f"SN-{rng.randint(100000, 999999)}-{index}",
        "partner_id": _pick(rng, vendors) if vendors else None,
        "owner_user_id": owner,
        "technician_user_id": rng.choice(USERS),
        "assign_date": (dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 600))).isoformat(),
        "effective_date": (dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 700))).isoformat(),
        "cost": round(rng.uniform(500, 250000), 2),
        "location": f"Hall {rng.randint(1, 4)}",
        "warranty_date": (dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 900))).isoformat(),
        "expected_mtbf": rng.randint(30, 720),
        "maintenance_team_id": rng.choice([1, 2]),
    }


def _requests(store: Store, rng: random.Random, anchor: dt.datetime) -> None:
    for index in range(1, 81):
        _insert(store, "maintenance.request", _request_values(store, rng, index), rng, anchor)


def _request_values(store: Store, rng: random.Random, index: int) -> dict:
    equipment = list(store.tables["maintenance.equipment"])
    stage = rng.choice([1, 1, 2, 3, 4])
    scheduled = dt.datetime(2026, 1, 1, 8) + dt.timedelta(days=rng.randint(0, 400), hours=rng.randint(0, 9))
    return {
        "name": _pick(rng, REQUEST_SUBJECTS),
        "equipment_id": _pick(rng, equipment) if equipment and rng.random() < 0.9 else None,
        "stage_id": stage,
        "priority": rng.choice(["0", "1", "2", "3", None]),
        "maintenance_type": rng.choice(["corrective", "corrective", "preventive"]),
        "request_date": (dt.date(2025, 6, 1) + dt.timedelta(days=rng.randint(0, 500))).isoformat(),
        "schedule_date": scheduled if rng.random() < 0.6 else None,
        "close_date": (scheduled.date() + dt.timedelta(days=rng.randint(0, 10))).isoformat() if stage == 3 else None,
        "user_id": rng.choice(USERS),
        "owner_user_id": rng.choice(USERS),
        "duration": float(rng.choice([0, 1, 2, 4, 8])),
        "maintenance_team_id": rng.choice([1, 2]),
        "kanban_state": rng.choice(["normal", "normal", "blocked", "done"]),
        "done": stage == 3,
        "archive": stage == 4,
    }


def _purchase_orders(store: Store, rng: random.Random, anchor: dt.datetime) -> None:
    for index in range(1, 51):
        _insert(store, "purchase.order", _purchase_values(store, rng, index), rng, anchor)


def _purchase_values(store: Store, rng: random.Random, index: int) -> dict:
    vendors = [record_id for record_id, record in store.tables["res.partner"].items() if record["supplier_rank"]]
    untaxed = round(rng.uniform(80, 48000), 2)
    state = rng.choice(["draft", "sent", "purchase", "purchase", "done", "cancel"])
    ordered = dt.datetime(2025, 6, 1, 9) + dt.timedelta(days=rng.randint(0, 500), minutes=rng.randint(0, 600))
    return {
        "name": f"P{index:05d}",
        "partner_id": _pick(rng, vendors),
        "partner_ref": f"SO-{rng.randint(10000, 99999)}" if rng.random() < 0.6 else None,
        "date_order": ordered,
        "date_approve": ordered + dt.timedelta(hours=rng.randint(1, 72)) if state in ("purchase", "done") else None,
        "date_planned": ordered + dt.timedelta(days=rng.randint(3, 40)),
        "state": state,
        "priority": "1" if rng.random() < 0.1 else "0",
        "invoice_status": {"purchase": "to invoice", "done": "invoiced"}.get(state, "no"),
        "amount_untaxed": untaxed,
        "amount_tax": round(untaxed * 0.15, 2),
        "amount_total": round(untaxed * 1.15, 2),
        "user_id": rng.choice(USERS),
        "origin": f"MR/{rng.randint(1, 80):04d}" if rng.random() < 0.3 else None,
    }
