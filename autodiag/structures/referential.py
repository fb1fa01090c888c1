"""Reading and applying a referential of structures (docs/referential.md).

Two steps, so that people see every fault before anything is written:

- `read_referential(file, filename)` reads a CSV or XLSX file into a
  `Preview`: the valid rows and every faulty line with its line number,
  column and a French message. Reading writes nothing (with
  `networks_allowed`, it reads the database to check the scope).
- `plan_referential(preview)` says what applying would do (the counts of a
  dry run), `apply_referential(preview)` does it in one transaction: an
  upsert by code, missing networks created, active structures of the
  file's networks that the file no longer lists made inactive (never
  deleted), listed inactive ones reactivated.

Both are bulk operations (a handful of queries per thousand rows), for
files of 100,000 lines.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from autodiag import french, territories
from autodiag.french import suffix
from autodiag.structures.enums import Typology
from autodiag.structures.models import Network, Structure

# progress(phase, done, total): phase is "lecture" or "écriture"; total may be
# an estimate (the lines of a CSV file) or None.
Progress = Callable[[str, int, "int | None"], None]

COLUMNS = (
    "code",
    "nom",
    "reseau",
    "typologie",
    "type_structure",
    "code_postal",
    "departement",
    "courriel",
)
REQUIRED = ("code", "nom", "reseau", "typologie", "departement")
# A code is part of the structure's addresses (/structures/<code>/): no
# "/", "?", "#", "%" or control character.
CODE_PATTERN = re.compile(r"[^\W][\w.-]*")
MAX_LENGTHS = {"code": 32, "nom": 255, "reseau": 200, "type_structure": 200, "courriel": 254}
PROGRESS_EVERY = 2000
WRITE_BATCH = 2000
QUERY_CHUNK = 500  # under SQLite's 999 parameters per query
UPDATED_FIELDS = [
    "name",
    "network",
    "typology",
    "structure_type",
    "postal_code",
    "department_code",
    "region_code",
    "contact_email",
    "is_active",
]


def text_key(text: str) -> str:
    """Text compared without case, accents, punctuation or extra spaces."""
    return territories.name_key(text)


# The header names people write, by their key (`text_key`).
HEADER_SYNONYMS = {
    "code": "code",
    "code services publics": "code",
    "code service public": "code",
    "code services publics plus": "code",
    "code sp": "code",
    "code structure": "code",
    "code de la structure": "code",
    "nom": "nom",
    "nom de la structure": "nom",
    "nom de la structure du service ou du site": "nom",
    "nom de la structure ou du service": "nom",
    "nom du site": "nom",
    "nom du service": "nom",
    "reseau": "reseau",
    "reseau ou operateur": "reseau",
    "reseau ou operateur de rattachement": "reseau",
    "reseau de rattachement": "reseau",
    "operateur": "reseau",
    "typologie": "typologie",
    "typologie de la structure": "typologie",
    "type structure": "type_structure",
    "type de structure": "type_structure",
    "type de la structure": "type_structure",
    "code postal": "code_postal",
    "cp": "code_postal",
    "departement": "departement",
    "code departement": "departement",
    "code du departement": "departement",
    "courriel": "courriel",
    "courriel de contact": "courriel",
    "adresse electronique": "courriel",
    "adresse electronique de contact": "courriel",
    "adresse de contact": "courriel",
    "adresse mail": "courriel",
    "mail": "courriel",
    "e mail": "courriel",
    "email": "courriel",
}

# Typologies by the key of their id and of their French label.
TYPOLOGIES = {
    **{text_key(value): value for value in Typology.values},
    **{text_key(str(label)): value for value, label in Typology.choices},
}

POSTAL_CODE = re.compile(r"\d{5}")


@dataclass(frozen=True, slots=True)
class Fault:
    line: int  # 1 is the header
    column: str  # one of COLUMNS, or "" for the whole line
    message: str

    def __str__(self):
        where = f"ligne {self.line}"
        if self.column:
            where += f", colonne « {self.column} »"
        return f"{where} : {self.message}"


@dataclass(slots=True)
class Row:
    line: int
    code: str
    name: str
    network: str
    typology: str
    structure_type: str
    postal_code: str
    department_code: str
    region_code: str
    contact_email: str


@dataclass
class Preview:
    """What a file holds: its valid rows and every fault. Applying needs no
    fault at all."""

    filename: str
    rows: list[Row] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    lines: int = 0  # data lines read (blank lines excluded)

    @property
    def is_valid(self) -> bool:
        return not self.faults

    @property
    def faulty_lines(self) -> int:
        return len({fault.line for fault in self.faults})


@dataclass(frozen=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    reactivated: int = 0
    networks_created: int = 0

    def __str__(self):
        return (
            f"{french.count(self.created, 'créée')}, {french.count(self.updated, 'mise à jour', 'mises à jour')}, "
            f"{french.count(self.unchanged, 'inchangée')}, {french.count(self.reactivated, 'réactivée')}, "
            f"{french.count(self.deactivated, 'désactivée')} ; "
            f"{french.count(self.networks_created, 'réseau créé', 'réseaux créés')}"
        )


class ReferentialError(Exception):
    """A referential that cannot be applied; `faults` says why."""

    def __init__(self, faults: list[Fault], message: str | None = None):
        count = len(faults)
        super().__init__(message or f"Référentiel non appliqué : {count} erreur{suffix(count)}.")
        self.faults = faults


# -- reading -------------------------------------------------------------------


@dataclass(frozen=True)
class ReadingLimits:
    """What one reading may cost (issue 12, finding 5): a file past a bound
    gets a fault naming it, and the reading stops there. The web upload
    reads with `upload_limits()`; the command line without limits."""

    max_rows: int
    max_seconds: float
    max_columns: int = 200
    max_xlsx_expanded_bytes: int = 100 * 1024 * 1024  # the XLSX's XML once unzipped


def upload_limits() -> ReadingLimits:
    from django.conf import settings

    return ReadingLimits(
        max_rows=settings.IMPORT_MAX_ROWS,
        max_seconds=settings.IMPORT_MAX_SECONDS,
        max_xlsx_expanded_bytes=settings.IMPORT_MAX_XLSX_EXPANDED_MB * 1024 * 1024,
    )


def read_referential(
    source: str | Path | BinaryIO | bytes,
    filename: str | None = None,
    *,
    networks_allowed: Iterable[int] | None = None,
    progress: Progress | None = None,
    limits: ReadingLimits | None = None,
) -> Preview:
    """Read a referential (CSV or XLSX, told by the file name's extension, or
    by the content when there is none) into a `Preview`. `source` is a path,
    bytes or a binary file (an upload). With `networks_allowed` (the ids of
    a network head's networks), rows outside them are faults too."""
    if isinstance(source, (str, Path)):
        filename = filename or Path(source).name
        data = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
    filename = filename or "référentiel"
    preview = Preview(filename=filename)
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        records, total = _xlsx_records(data, preview, limits)
    else:
        records, total = _csv_records(data, preview)
    _validate(records, total, preview, progress, limits)
    if networks_allowed is not None and preview.rows:
        faults = scope_faults(preview.rows, set(networks_allowed))
        if faults:
            outside = {fault.line for fault in faults}
            preview.rows = [row for row in preview.rows if row.line not in outside]
            preview.faults.extend(faults)
            preview.faults.sort(key=lambda fault: fault.line)
    return preview


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel's "CSV (séparateur : point-virgule)" on Windows.
        return data.decode("cp1252", errors="replace")


def _delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ";"


def _csv_records(data: bytes, preview: Preview) -> tuple[Iterator[tuple[int, list[str]]], int]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))

    def records():
        start = 1
        try:
            for values in reader:
                yield start, values
                start = reader.line_num + 1
        except csv.Error as error:  # a cell past csv's field limit, a NUL byte…
            preview.faults.append(Fault(start, "", f"ligne illisible ({error}) : lecture arrêtée"))

    return records(), text.count("\n") or 1


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_records(
    data: bytes, preview: Preview, limits: ReadingLimits | None = None
) -> tuple[Iterator[tuple[int, list[str]]], int]:
    from openpyxl import load_workbook  # only XLSX files pay for its import

    expanded = _xlsx_expanded_size(data)
    if limits and expanded is not None and expanded > limits.max_xlsx_expanded_bytes:
        preview.faults.append(
            Fault(
                1,
                "",
                f"classeur trop volumineux une fois décompressé ({expanded // (1024 * 1024)} Mo, "
                f"{limits.max_xlsx_expanded_bytes // (1024 * 1024)} Mo au plus) : "
                "enregistrez-le en CSV ou scindez-le",
            )
        )
        return iter(()), 0
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not XLSX
        preview.faults.append(
            Fault(1, "", "fichier illisible : ni un CSV ni un classeur XLSX valide")
        )
        return iter(()), 0
    sheet = workbook.worksheets[0]
    total = sheet.max_row or 0

    def records():
        try:
            rows = sheet.iter_rows(values_only=True, max_col=limits.max_columns if limits else None)
            for number, values in enumerate(rows, start=1):
                yield number, [_cell(value) for value in values]
        finally:
            workbook.close()

    return records(), total


def _xlsx_expanded_size(data: bytes) -> int | None:
    """The sum of the archive's declared uncompressed sizes (zipfile never
    inflates a member past its declared size), None if it is not a zip."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _header(values: list[str], preview: Preview) -> dict[str, int] | None:
    """Column positions by canonical name; None (with faults) if a required
    column is missing or named twice."""
    positions: dict[str, int] = {}
    ok = True
    for index, raw in enumerate(values):
        name = raw.strip()
        if not name:
            continue
        column = HEADER_SYNONYMS.get(text_key(name))
        if column is None:
            preview.ignored_columns.append(name)
        elif column in positions:
            preview.faults.append(Fault(1, column, f"colonne « {name} » en double"))
            ok = False
        else:
            positions[column] = index
    for column in REQUIRED:
        if column not in positions:
            preview.faults.append(Fault(1, column, f"colonne obligatoire manquante « {column} »"))
            ok = False
    return positions if ok else None


def _past_limits(limits: ReadingLimits, count: int, read: int, deadline, line, faults) -> bool:
    """Whether reading stops here, with the fault that says why."""
    if count >= limits.max_rows:
        faults.append(
            Fault(
                line,
                "",
                f"le fichier dépasse {limits.max_rows} lignes : lecture arrêtée ; scindez-le "
                "ou utilisez la commande « autodiag import-structures »",
            )
        )
        return True
    if read % 500 == 0 and time.monotonic() > deadline:
        faults.append(
            Fault(
                line,
                "",
                f"lecture arrêtée après {limits.max_seconds:g} secondes (ligne {line}) : scindez le fichier "
                "ou utilisez la commande « autodiag import-structures »",
            )
        )
        return True
    return False


def _validate(
    records: Iterator[tuple[int, list[str]]],
    total: int,
    preview: Preview,
    progress: Progress | None,
    limits: ReadingLimits | None = None,
) -> None:
    faults = preview.faults
    header = None
    for _line, values in records:
        if any(value.strip() for value in values):
            header = _header(values, preview)
            break
    else:
        if not faults:
            faults.append(Fault(1, "", "fichier vide : aucune ligne d’en-tête"))
        return
    if header is None:
        records.close()  # an XLSX reader closes its file
        return

    positions = [(column, header.get(column)) for column in COLUMNS]
    first_line_of: dict[str, int] = {}
    count = read = 0
    deadline = time.monotonic() + limits.max_seconds if limits else None
    for line, values in records:
        read += 1
        if limits and _past_limits(limits, count, read, deadline, line, faults):
            records.close()
            break
        width = len(values)
        cells = {
            column: values[index].strip() if index is not None and index < width else ""
            for column, index in positions
        }
        if not any(cells.values()):
            continue  # a blank line, common at the end of exported files
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress("lecture", count, total)
        row_faults = _check_row(line, cells)
        code = cells["code"]
        if code:
            first = first_line_of.setdefault(code, line)
            if first != line:
                row_faults.append(
                    Fault(line, "code", f"code « {code} » en double (lignes {first} et {line})")
                )
        if row_faults:
            faults.extend(row_faults)
            continue
        dep = territories.department(cells["departement"]) or territories.department_by_name(
            cells["departement"]
        )
        preview.rows.append(
            Row(
                line=line,
                code=code,
                name=cells["nom"],
                network=" ".join(cells["reseau"].split()),
                typology=TYPOLOGIES[text_key(cells["typologie"])],
                structure_type=cells["type_structure"],
                postal_code=_postal_code(cells["code_postal"]),
                department_code=dep.code,
                region_code=dep.region_code,
                contact_email=cells["courriel"],
            )
        )
    preview.lines = count
    if progress:
        progress("lecture", count, count)


def _postal_code(value: str) -> str:
    # Spreadsheets drop the leading zero of 01000 (Ain): 4 digits are read 0xxxx.
    return "0" + value if len(value) == 4 and value.isdigit() else value


def _check_row(line: int, cells: dict[str, str]) -> list[Fault]:
    faults = []
    for column in REQUIRED:
        if not cells[column]:
            message = f"{column.replace('reseau', 'réseau')} manquant"
            if column == "typologie":
                message = "typologie manquante"
            elif column == "departement":
                message = "département manquant"
                hint = territories.department_from_postal_code(_postal_code(cells["code_postal"]))
                if hint:
                    message += f" (le code postal indique {hint.code}, {hint.name})"
            faults.append(Fault(line, column, message))
    for column, limit in MAX_LENGTHS.items():
        if len(cells[column]) > limit:
            faults.append(
                Fault(
                    line,
                    column,
                    f"{french.count(len(cells[column]), 'caractère')}, {limit} au plus",
                )
            )
    code = cells["code"]
    if code and any(char.isspace() for char in code):
        faults.append(Fault(line, "code", f"code « {code} » invalide : pas d’espace dans un code"))
    elif code and not CODE_PATTERN.fullmatch(code):
        faults.append(
            Fault(
                line,
                "code",
                f"code « {code} » invalide : seulement des lettres, des chiffres, « - », « _ » et « . » (pas de « / »)",
            )
        )
    typology = cells["typologie"]
    if typology and text_key(typology) not in TYPOLOGIES:
        allowed = ", ".join(Typology.values)
        faults.append(
            Fault(
                line,
                "typologie",
                f"typologie inconnue « {typology} » (valeurs permises : {allowed}, ou leurs libellés)",
            )
        )
    postal_code = cells["code_postal"]
    if postal_code and not POSTAL_CODE.fullmatch(_postal_code(postal_code)):
        faults.append(
            Fault(line, "code_postal", f"code postal invalide « {postal_code} » (5 chiffres)")
        )
    department = cells["departement"]
    if (
        department
        and territories.department(department) is None
        and territories.department_by_name(department) is None
    ):
        faults.append(Fault(line, "departement", f"département inconnu « {department} »"))
    email = cells["courriel"]
    if email and len(email) <= MAX_LENGTHS["courriel"]:
        try:
            validate_email(email)
        except ValidationError:
            faults.append(Fault(line, "courriel", f"courriel invalide « {email} »"))
    return faults


# -- scope of a network head -----------------------------------------------------


def _networks_by_key() -> dict[str, Network]:
    return {text_key(network.name): network for network in Network.objects.all()}


def _existing(codes: list[str]) -> dict[str, tuple]:
    """The structures of these codes: code → (id, name, network_id, typology,
    structure_type, postal_code, department_code, region_code, contact_email,
    is_active)."""
    found = {}
    for start in range(0, len(codes), QUERY_CHUNK):
        for values in Structure.objects.filter(
            code__in=codes[start : start + QUERY_CHUNK]
        ).values_list(
            "code",
            "id",
            "name",
            "network_id",
            "typology",
            "structure_type",
            "postal_code",
            "department_code",
            "region_code",
            "contact_email",
            "is_active",
        ):
            found[values[0]] = values[1:]
    return found


def scope_faults(rows: list[Row], networks_allowed: set[int]) -> list[Fault]:
    """Faults of rows outside a network head's networks: another network, or
    a structure that belongs today to another network."""
    networks = _networks_by_key()
    names = {network.id: network.name for network in networks.values()}
    faults = []
    inside = []
    for row in rows:
        network = networks.get(text_key(row.network))
        if network is None or network.id not in networks_allowed:
            faults.append(
                Fault(row.line, "reseau", f"réseau « {row.network} » hors de votre périmètre")
            )
        else:
            inside.append(row)
    existing = _existing([row.code for row in inside])
    for row in inside:
        current = existing.get(row.code)
        if current and current[2] not in networks_allowed:
            faults.append(
                Fault(
                    row.line,
                    "code",
                    f"la structure « {row.code} » appartient au réseau « {names[current[2]]} », "
                    "hors de votre périmètre",
                )
            )
    return sorted(faults, key=lambda fault: fault.line)


# -- applying ----------------------------------------------------------------------


@dataclass
class Plan:
    """What applying a preview does, computed from the database."""

    counts: Counts
    new_networks: list[str]
    creates: list[Row]  # new codes
    updates: list[Row]  # changed or reactivated rows
    deactivate: list[int]  # structure ids
    networks: dict[str, Network]  # by key; the new ones without id until applied


def plan_referential(preview: Preview, networks_allowed: Iterable[int] | None = None) -> Plan:
    """What `apply_referential` would do (nothing is written): the counts
    of a dry run. Refuses a preview with faults (`ReferentialError`)."""
    _refuse_faults(preview, networks_allowed)
    networks = _networks_by_key()
    new_networks = []
    for row in preview.rows:
        key = text_key(row.network)
        if key not in networks:
            networks[key] = Network(name=row.network)
            new_networks.append(row.network)

    existing = _existing([row.code for row in preview.rows])
    created = updated = unchanged = reactivated = 0
    creates, updates = [], []
    for row in preview.rows:
        current = existing.get(row.code)
        if current is None:
            created += 1
            creates.append(row)
            continue
        network_id = networks[text_key(row.network)].id
        wanted = (
            row.name,
            network_id,
            row.typology,
            row.structure_type,
            row.postal_code,
            row.department_code,
            row.region_code,
            row.contact_email,
            True,
        )
        if current[1:] == wanted:
            unchanged += 1
            continue
        updates.append(row)
        if current[-1]:
            updated += 1
        else:
            reactivated += 1

    network_ids = {networks[text_key(row.network)].id for row in preview.rows} - {None}
    listed = {row.code for row in preview.rows}
    deactivate = [
        pk
        for pk, code in Structure.objects.filter(
            network_id__in=network_ids, is_active=True
        ).values_list("id", "code")
        if code not in listed
    ]
    counts = Counts(
        created=created,
        updated=updated,
        unchanged=unchanged,
        deactivated=len(deactivate),
        reactivated=reactivated,
        networks_created=len(new_networks),
    )
    return Plan(counts, new_networks, creates, updates, deactivate, networks)


def _refuse_faults(preview: Preview, networks_allowed: Iterable[int] | None) -> None:
    if preview.faults:
        raise ReferentialError(preview.faults)
    if networks_allowed is not None:
        faults = scope_faults(preview.rows, set(networks_allowed))
        if faults:
            raise ReferentialError(faults)


def _structure(row: Row, networks: dict[str, Network]) -> Structure:
    return Structure(
        code=row.code,
        name=row.name,
        network=networks[text_key(row.network)],
        typology=row.typology,
        structure_type=row.structure_type,
        postal_code=row.postal_code,
        department_code=row.department_code,
        region_code=row.region_code,
        contact_email=row.contact_email,
        is_active=True,
    )


def apply_referential(
    preview: Preview,
    networks_allowed: Iterable[int] | None = None,
    *,
    progress: Progress | None = None,
) -> Counts:
    """Write a faultless preview in one transaction (all or nothing) and
    return the counts. `ReferentialError` if the preview has faults, or
    rows outside `networks_allowed` when given."""
    with transaction.atomic():
        plan = plan_referential(preview, networks_allowed)
        for network in plan.networks.values():
            if network.pk is None:
                network.save()
        total = len(plan.creates) + len(plan.updates) + len(plan.deactivate)
        done = 0
        # New codes: a plain INSERT; changed ones: INSERT … ON CONFLICT DO UPDATE.
        for rows, upsert in ((plan.creates, False), (plan.updates, True)):
            for start in range(0, len(rows), WRITE_BATCH):
                batch = rows[start : start + WRITE_BATCH]
                objects = [_structure(row, plan.networks) for row in batch]
                if upsert:
                    Structure.objects.bulk_create(
                        objects,
                        update_conflicts=True,
                        unique_fields=["code"],
                        update_fields=UPDATED_FIELDS,
                    )
                else:
                    Structure.objects.bulk_create(objects)
                done += len(batch)
                if progress:
                    progress("écriture", done, total)
        for start in range(0, len(plan.deactivate), QUERY_CHUNK):
            chunk = plan.deactivate[start : start + QUERY_CHUNK]
            Structure.objects.filter(id__in=chunk).update(is_active=False)
            done += len(chunk)
            if progress:
                progress("écriture", done, total)
    return plan.counts
