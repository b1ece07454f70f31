"""Write a generated PlanningData as an input workbook (openpyxl write-only mode: fast and lean)."""

from __future__ import annotations

import math
from pathlib import Path

from openpyxl import Workbook


def write_instance(data, path: Path) -> Path:
    wb = Workbook(write_only=True)

    def sheet(name: str, header: list[str], rows) -> None:
        ws = wb.create_sheet(name)
        ws.append(header)
        for row in rows:
            ws.append(row)

    sheet("Items", ["item", "demand", "unit"], ([i.name, i.demand, i.unit] for i in data.items.values()))
    sheet("Suppliers", ["supplier", "country", "capacity", "fixed_cost"],
          ([s.name, s.country, None if math.isinf(s.capacity) else s.capacity, s.fixed_cost or None]
           for s in data.suppliers.values()))
    sheet("Countries", ["country", "name", "blocs", "tariff"],
          ([c.name, c.label, ", ".join(c.blocs), c.tariff] for c in data.countries.values()))
    sheet("Offers", ["item", "supplier", "price", "capacity", "min_order", "freight"],
          ([o.item, o.supplier, o.price, None if math.isinf(o.capacity) else o.capacity, o.min_order or None,
            o.freight or None] for o in data.offers.values()))
    sheet("Policy", ["rule", "item", "group", "value"],
          ([r.kind, r.item, None if r.group is None else str(r.group).replace("each ", "each "), r.value]
           for r in data.rules))
    sheet("Scenarios", ["scenario", "item", "group", "availability"],
          ([h.scenario, h.item, str(h.group), h.availability] for h in data.scenario_hits))
    wb.save(path)
    return path
