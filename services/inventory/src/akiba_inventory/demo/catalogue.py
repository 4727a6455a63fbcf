"""The demo's ~500 items and their batches, generated from plausible product lists."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from akiba_platform import demo_id
from akiba_stock import reference as ref

# Which demo program (see demo.PROGRAMS: the same deterministic ids) orders each commodity type.
PROGRAM_OF = {
    "vaccines": demo_id("program", "EPI"),
    "family-planning": demo_id("program", "FP"),
    "essential-medicines": demo_id("program", "EM"),
}


# The first demo items: their codes and ids are used by other services' demos and tests.
LEGACY_ITEMS = [
    ref.Item(demo_id("item", "AMX-250"), "AMX-250", "Amoxicillin 250mg dispersible tablet",
             "tablet", 100, 30, commodity_type="essential-medicines",
             program_ids=(PROGRAM_OF["essential-medicines"],)),
    ref.Item(demo_id("item", "ORS-1L"), "ORS-1L", "Oral rehydration salts", "sachet", 50, 10,
             commodity_type="essential-medicines",
             program_ids=(PROGRAM_OF["essential-medicines"],)),
    ref.Item(demo_id("item", "MR-VAX"), "MR-VAX", "Measles-rubella vaccine 10-dose vial",
             "dose", 10, 0, commodity_type="vaccines", vvm=True, cold_chain=True,
             program_ids=(PROGRAM_OF["vaccines"],)),
]  # fmt: skip

# (molecule, dispensing unit, strengths, cold chain)
MEDICINES = [
    ("Amoxicillin", "capsule", ["250mg", "500mg"], False),
    ("Amoxicillin/clavulanic acid", "tablet", ["500mg/125mg", "875mg/125mg"], False),
    ("Ampicillin powder for injection", "vial", ["500mg", "1g"], False),
    ("Artemether/lumefantrine", "tablet", ["20mg/120mg", "80mg/480mg"], False),
    ("Artesunate injection", "vial", ["60mg", "120mg"], False),
    ("Azithromycin", "tablet", ["250mg", "500mg"], False),
    ("Benzathine benzylpenicillin", "vial", ["1.2MIU", "2.4MIU"], False),
    ("Ceftriaxone powder for injection", "vial", ["250mg", "1g"], False),
    ("Cotrimoxazole", "tablet", ["120mg", "480mg", "960mg"], False),
    ("Ciprofloxacin", "tablet", ["250mg", "500mg"], False),
    ("Doxycycline", "capsule", ["100mg"], False),
    ("Metronidazole", "tablet", ["200mg", "400mg"], False),
    ("Gentamicin injection", "ampoule", ["20mg/2ml", "80mg/2ml"], False),
    ("Nitrofurantoin", "tablet", ["100mg"], False),
    ("Paracetamol", "tablet", ["100mg", "500mg"], False),
    ("Paracetamol oral suspension", "bottle", ["120mg/5ml"], False),
    ("Ibuprofen", "tablet", ["200mg", "400mg"], False),
    ("Diclofenac", "tablet", ["25mg", "50mg"], False),
    ("Morphine oral solution", "bottle", ["10mg/5ml"], False),
    ("Zinc sulfate dispersible", "tablet", ["10mg", "20mg"], False),
    ("Ferrous sulfate/folic acid", "tablet", ["200mg/400mcg"], False),
    ("Folic acid", "tablet", ["5mg"], False),
    ("Vitamin A", "capsule", ["100000IU", "200000IU"], False),
    ("Albendazole", "tablet", ["200mg", "400mg"], False),
    ("Mebendazole", "tablet", ["100mg", "500mg"], False),
    ("Praziquantel", "tablet", ["600mg"], False),
    ("Metformin", "tablet", ["500mg", "850mg"], False),
    ("Glibenclamide", "tablet", ["5mg"], False),
    ("Insulin, soluble", "vial", ["100IU/ml"], True),
    ("Insulin, isophane", "vial", ["100IU/ml"], True),
    ("Amlodipine", "tablet", ["5mg", "10mg"], False),
    ("Enalapril", "tablet", ["5mg", "10mg"], False),
    ("Hydrochlorothiazide", "tablet", ["25mg"], False),
    ("Atenolol", "tablet", ["50mg"], False),
    ("Furosemide", "tablet", ["40mg"], False),
    ("Salbutamol inhaler", "inhaler", ["100mcg/dose"], False),
    ("Prednisolone", "tablet", ["5mg", "25mg"], False),
    ("Beclometasone inhaler", "inhaler", ["100mcg/dose"], False),
    ("Omeprazole", "capsule", ["20mg"], False),
    ("Chlorphenamine", "tablet", ["4mg"], False),
    ("Oxytocin injection", "ampoule", ["10IU/ml"], True),
    ("Misoprostol", "tablet", ["200mcg"], False),
    ("Magnesium sulfate injection", "ampoule", ["50%/10ml"], False),
    ("Tenofovir/lamivudine/dolutegravir", "tablet", ["300mg/300mg/50mg"], False),
    ("Abacavir/lamivudine", "tablet", ["120mg/60mg"], False),
    ("Nevirapine oral suspension", "bottle", ["50mg/5ml"], False),
    ("Isoniazid", "tablet", ["100mg", "300mg"], False),
    ("Rifampicin/isoniazid", "tablet", ["150mg/75mg"], False),
    ("RHZE fixed-dose combination", "tablet", ["150/75/400/275mg"], False),
    ("Fluconazole", "capsule", ["50mg", "150mg"], False),
    ("Clotrimazole pessary", "piece", ["100mg", "500mg"], False),
    ("Lidocaine injection", "vial", ["1%/20ml", "2%/20ml"], False),
    ("Diazepam injection", "ampoule", ["5mg/ml"], False),
    ("Phenobarbital", "tablet", ["30mg"], False),
    ("Carbamazepine", "tablet", ["200mg"], False),
    ("Haloperidol", "tablet", ["5mg"], False),
    ("Sodium chloride infusion", "bag", ["0.9% 500ml", "0.9% 1000ml"], False),
    ("Ringer's lactate infusion", "bag", ["500ml", "1000ml"], False),
    ("Glucose infusion", "bag", ["5% 500ml", "50% 50ml"], False),
    ("Water for injection", "ampoule", ["10ml"], False),
    ("Malaria rapid diagnostic test", "test", ["Pf/Pan"], False),
    ("HIV rapid test", "test", ["1/2"], False),
    ("Surgical gloves", "pair", ["size 7", "size 7.5"], False),
    ("Syringe, auto-disable", "piece", ["0.5ml", "5ml"], False),
]
PACKS = [10, 30, 100, 500, 1000]
VACCINES = [
    ("BCG vaccine", ["20-dose vial"]),
    ("bOPV vaccine", ["20-dose vial"]),
    ("IPV vaccine", ["5-dose vial", "10-dose vial"]),
    ("Pentavalent (DTP-HepB-Hib) vaccine", ["1-dose vial", "10-dose vial"]),
    ("PCV13 vaccine", ["1-dose vial", "4-dose vial"]),
    ("Rotavirus vaccine", ["1-dose tube"]),
    ("Measles-rubella vaccine", ["5-dose vial"]),
    ("Yellow fever vaccine", ["10-dose vial"]),
    ("Tetanus-diphtheria (Td) vaccine", ["10-dose vial", "20-dose vial"]),
    ("HPV vaccine", ["1-dose vial", "2-dose vial"]),
    ("Hepatitis B birth-dose vaccine", ["1-dose vial", "10-dose vial"]),
    ("Malaria (RTS,S) vaccine", ["2-dose vial"]),
    ("COVID-19 vaccine", ["10-dose vial"]),
]
FAMILY_PLANNING = [
    ("Levonorgestrel/ethinylestradiol", "cycle", ["150mcg/30mcg"]),
    ("Levonorgestrel emergency pill", "tablet", ["1.5mg"]),
    ("Norethisterone progestogen-only pill", "cycle", ["350mcg"]),
    ("Medroxyprogesterone acetate injectable", "vial", ["150mg/ml"]),
    ("DMPA-SC self-injectable", "piece", ["104mg/0.65ml"]),
    ("Etonogestrel implant", "piece", ["68mg"]),
    ("Levonorgestrel implant", "piece", ["2x75mg"]),
    ("Copper IUD", "piece", ["TCu380A"]),
    ("Male condom", "piece", ["standard"]),
    ("Female condom", "piece", ["standard"]),
]
MAKERS = ["Cipla", "Aspen", "Universal Corporation", "Dawa Ltd", "Serum Institute", "Bharat"]


def gtin13(n: int) -> str:
    """A valid GTIN-13 under the demo's GS1 prefix."""
    body = f"616{n:09d}"
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _specs() -> Iterator[tuple[str, str, str, int, str, bool, bool]]:
    for vaccine, presentations in VACCINES:
        for p in presentations:
            doses = int(p.split("-")[0])
            yield "VAX", f"{vaccine}, {p}", "dose", doses, "vaccines", True, True
    for product, unit, strengths in FAMILY_PLANNING:
        for strength in strengths:
            for pack in (1, 100):
                yield "FP", f"{product} {strength}", unit, pack, "family-planning", False, False
    for molecule, unit, strengths, cold in MEDICINES:
        for strength in strengths:
            for pack in PACKS:
                yield "EM", f"{molecule} {strength}", unit, pack, "essential-medicines", False, cold


def items(limit: int = 497) -> list[ref.Item]:
    """The legacy demo items, then generated ones (about 500 in all)."""
    made = []
    for n, (prefix, name, unit, pack, kind, vvm, cold) in enumerate(_specs(), start=1):
        code = f"{prefix}-{n:04d}"
        label = name if prefix == "VAX" or pack == 1 else f"{name}, pack of {pack}"
        made.append(
            ref.Item(demo_id("item", code), code, label, unit, pack, pack // 4, False,
                     gtin13(n), kind, vvm, cold, program_ids=(PROGRAM_OF[kind],))
        )  # fmt: skip
    return LEGACY_ITEMS + made[:limit]


def batches(catalogue: list[ref.Item], today: date) -> list[ref.BatchRecord]:
    """One to three batches per item, expiring over the next three years (a few already)."""
    rng = random.Random(4)
    made = []
    for item in catalogue:
        for j in range(rng.randint(1, 3)):
            lot = f"{item.code.replace('-', '')}{chr(65 + j)}{rng.randint(100, 999)}"
            expiry = today + timedelta(days=rng.randint(-20, 3 * 365))
            batch_id = demo_id("batch", f"{item.code}:{lot}")
            made.append(ref.BatchRecord(batch_id, item.item_id, lot, expiry, rng.choice(MAKERS)))
    return made
