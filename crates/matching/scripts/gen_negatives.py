#!/usr/bin/env python3
"""Generates the negative screening set: realistic people of the region and
its partners who are (almost surely) not on any sanctions list.

Source of the names: Faker (https://github.com/joke2k/faker, MIT licence),
its person providers for the locales below. Seeded: the same Faker version
and seed write the same file. Run in a scratch virtual environment (Faker
is not a dependency of the project):

    python3 -m venv /work/venv-faker && /work/venv-faker/bin/pip install faker
    /work/venv-faker/bin/python crates/matching/scripts/gen_negatives.py \
        > crates/matching/tests/fixtures/negatives/region_people.csv

Each row: id, source (Faker locale and how the name is written), script
(native or latin), name, birth_date (ISO, some rows), country (ISO alpha-2,
some rows). Names are written the way people write them: Faker's own
titles (Prof., الأستاذ, श्री ...) kept, Russian and Ukrainian names with
patronymics in either order, Latin renderings of Cyrillic names in two
common transliterations (passport-style ICAO 9303 and BGN-like), upper-case
passport (MRZ-style) forms, honorifics of South and Central Asia
(Mullah, Haji, Sheikh, Maulana, Syed, Dr.) on some Latin Muslim names, and
Central Asian patronymic forms (uly, kyzy, o'g'li, qizi).
"""
import csv
import random
import sys

import faker

SEED = 2026
N_PER = {  # locale -> (count, country)
    "ru_RU": (420, "RU"),
    "uk_UA": (120, "UA"),
    "uz_UZ": (420, "UZ"),
    "az_AZ": (260, "AZ"),
    "tr_TR": (260, "TR"),
    "fa_IR": (300, "IR"),
    "ar_SA": (180, "SA"),
    "ar_AE": (100, "AE"),
    "ar_EG": (100, "EG"),
    "ar_JO": (60, "JO"),
    "en_PK": (420, "PK"),
    "en_IN": (260, "IN"),
    "hi_IN": (160, "IN"),
    "bn_BD": (160, "BD"),
    "ne_NP": (60, "NP"),
    "si_LK": (100, "LK"),
    "ta_IN": (100, "IN"),
    "zh_CN": (120, "CN"),
    "ko_KR": (80, "KR"),
    "ka_GE": (60, "GE"),
    "hy_AM": (60, "AM"),
}

CYR_ICAO = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "ie", "y", "", "e", "iu", "ia",
     "i", "i", "ie", "g"]))
CYR_BGN = dict(CYR_ICAO, **{"й": "y", "ю": "yu", "я": "ya", "ъ": "", "ё": "yo", "х": "kh"})

# Generated names checked by hand against the top hits on the UN list and
# found to be exactly the name of a listed person (the engine is right to
# alert on them, whoever carries them): not negatives.
EXCLUDE = {
    "김정식",  # Kim Jong Sik, the name of a DPRK-list entry
}

TITLES_MUSLIM = ["Mullah", "Haji", "Sheikh", "Maulana", "Syed", "Dr.", "Mr.", "Hafiz", "Qari",
                 "Ustad", "Amir", "General", "Mawlawi"]
TITLES_GENERIC = ["Dr.", "Mr.", "Mrs.", "Prof.", "Eng."]


def translit(s, table):
    out = []
    for ch in s:
        lo = ch.lower()
        if lo in table:
            t = table[lo]
            out.append(t.capitalize() if ch != lo and t else t)
        else:
            out.append(ch)
    return "".join(out)


def birth(rng):
    if rng.random() < 0.35:
        y = rng.randint(1945, 2005)
        if rng.random() < 0.8:
            return f"{y}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return str(y)
    return ""


def cyrillic_person(f, rng, loc):
    male = rng.random() < 0.6
    first = f.first_name_male() if male else f.first_name_female()
    last = f.last_name_male() if male else f.last_name_female()
    mid = ""
    if hasattr(f, "middle_name_male"):
        mid = f.middle_name_male() if male else f.middle_name_female()
    r = rng.random()
    if r < 0.4 and mid:
        native = f"{last} {first} {mid}"
    elif r < 0.7 and mid:
        native = f"{first} {mid} {last}"
    else:
        native = f"{first} {last}"
    return native, first, last


def main():
    rng = random.Random(SEED)
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["id", "source", "script", "name", "birth_date", "country"])
    seen = set()
    n = 0

    def emit(source, script, name, country):
        nonlocal n
        name = " ".join(name.split())
        if not name or name.lower() in seen:
            return
        seen.add(name.lower())
        n += 1
        bd, c = birth(rng), country if rng.random() < 0.35 else ""
        # An excluded name keeps its id and random draws: the other rows
        # stay as they were.
        if name not in EXCLUDE:
            w.writerow([f"neg{n:05d}", source, script, name, bd, c])

    for loc, (count, cc) in N_PER.items():
        f = faker.Faker(loc)
        f.seed_instance(SEED)
        for _ in range(count):
            if loc in ("ru_RU", "uk_UA"):
                native, first, last = cyrillic_person(f, rng, loc)
                r = rng.random()
                if r < 0.45:
                    emit(f"{loc}", "native", native, cc)
                elif r < 0.7:
                    emit(f"{loc}/icao", "latin", translit(native, CYR_ICAO), cc)
                elif r < 0.85:
                    emit(f"{loc}/bgn", "latin", translit(native, CYR_BGN), cc)
                else:
                    # passport: SURNAME GIVEN in upper case, ICAO table.
                    mrz = translit(f"{last} {first}", CYR_ICAO).upper()
                    emit(f"{loc}/mrz", "latin", mrz, cc)
                continue
            name = f.name()
            script = "latin" if loc.split("_")[0] in ("uz", "az", "tr", "en") else "native"
            source = loc
            if loc == "uz_UZ" and rng.random() < 0.25:
                # Patronymic as Uzbeks and Kazakhs write it.
                male = rng.random() < 0.6
                given = f.first_name_male() if male else f.first_name_female()
                father = f.first_name_male()
                suffix = rng.choice(["o'g'li", "ugli", "uly"] if male else ["qizi", "kyzy"])
                name = f"{f.last_name()} {given} {father} {suffix}"
                source = f"{loc}/patronymic"
            elif loc in ("en_PK", "uz_UZ", "az_AZ") and rng.random() < 0.15:
                name = f"{rng.choice(TITLES_MUSLIM)} {name}"
                source = f"{loc}/title"
            elif script == "latin" and rng.random() < 0.05:
                name = f"{rng.choice(TITLES_GENERIC)} {name}"
                source = f"{loc}/title"
            elif script == "latin" and rng.random() < 0.08:
                name = name.upper()
                source = f"{loc}/upper"
            emit(source, script, name, cc)
    print(f"{n - len(EXCLUDE)} people", file=sys.stderr)


if __name__ == "__main__":
    main()
