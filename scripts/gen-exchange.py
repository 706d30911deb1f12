#!/usr/bin/env python3
"""Exchange files for the import benchmark (DATA-FORMATS.md): sectors, teams, companies with
valid SIRETs, N worker lines, and a DSN file of M workers for the first establishment.
Usage: scripts/gen-exchange.py FOLDER WORKERS DSN_WORKERS"""
import os
import random
import sys

folder, workers, dsn_workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(folder, exist_ok=True)
rng = random.Random(42)


def luhn_ok(digits):
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def complete(prefix):
    """The prefix followed by the digit that makes it satisfy Luhn."""
    for last in "0123456789":
        if luhn_ok(prefix + last):
            return prefix + last


def siret(n):
    siren = complete(f"{300000000 + n * 7919:09d}"[:8])
    return complete(siren + f"{n % 9999:04d}")


def nir(n):
    sex = 1 + n % 2
    first13 = f"{sex}{70 + n % 30:02d}{1 + n % 12:02d}75{100 + n % 800:03d}{n % 1000:03d}"
    return first13, f"{first13}{97 - int(first13) % 97:02d}"


establishments = max(1, workers // 25)
with open(f"{folder}/sectors.csv", "w") as f:
    f.write("sector;name\nEST;Secteur Est\n")
with open(f"{folder}/teams.csv", "w") as f:
    f.write("team;name;sector\nEST-1;Équipe Est 1;EST\nEST-2;Équipe Est 2;EST\n")
sirets = [siret(i) for i in range(establishments)]
with open(f"{folder}/companies.csv", "w") as f:
    f.write("siret;name;naf_code;sector;team;kind;joined_on;struck_off_on;strike_off_reason;address;postcode;city;email;phone\n")
    for i, s in enumerate(sirets):
        f.write(f"{s};Établissement {i};47.11D;EST;EST-{1 + i % 2};company;2015-01-01;;;{i} rue Haute;57000;Metz;;\n")
codes = ["", "", "", "lead", "night_worker", "asbestos", "cmr"]
with open(f"{folder}/workers.csv", "w") as f:
    f.write("worker_ref;last_name;first_name;sex;birth_date;nir;email;mobile;siret;job_title;pcs_ese;hired_on;left_on;contract;night_worker;declaration_year;category;exposures\n")
    for n in range(workers):
        _, full = nir(n)
        code = rng.choice(codes)
        category = {"": "SIS", "night_worker": "SIA"}.get(code, "SIR")
        exposures = "" if code in ("", "night_worker") else code
        night = "1" if code == "night_worker" else "0"
        f.write(f"W{n:07d};Nom{n};Prénom{n};{'MF'[n % 2]};{1960 + n % 40}-{1 + n % 12:02d}-{1 + n % 28:02d};{full};;;"
                f"{sirets[n % establishments]};Poste {n % 50};;{2010 + n % 15}-{1 + n % 12:02d}-01;;CDI;{night};2025;{category};{exposures}\n")
siren, nic = sirets[0][:9], sirets[0][9:]
with open(f"{folder}/payroll.dsn", "w") as f:
    f.write("S10.G00.00.001,'Logiciel'\nS20.G00.05.001,'01'\nS20.G00.05.005,'01102026'\n")
    f.write(f"S21.G00.06.001,'{siren}'\nS21.G00.06.003,'4711D'\nS21.G00.11.001,'{nic}'\n")
    for n in range(dsn_workers):
        first13, _ = nir(1_000_000 + n)
        f.write(f"S21.G00.30.001,'{first13}'\nS21.G00.30.002,'Paie{n}'\nS21.G00.30.004,'Prénom'\n"
                f"S21.G00.30.006,'0101{1970 + n % 30}'\nS21.G00.40.001,'01{1 + n % 12:02d}2020'\n"
                f"S21.G00.40.006,'Agent d'entretien'\nS21.G00.40.007,'01'\n")
        if n % 10 == 0:
            f.write("S21.G00.34.001,'08'\n")
        if n % 25 == 0:
            f.write("S21.G00.60.001,'01'\nS21.G00.60.002,'31082026'\nS21.G00.60.010,'16102026'\n")
print(f"{folder}: {establishments} establishments, {workers} worker lines, DSN of {dsn_workers} workers")
