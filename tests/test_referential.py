"""Reading and applying a referential of structures (docs/referential.md),
and `autodiag import-structures`."""

import io

import pytest
from django.core.management import call_command

from autodiag.structures.models import Network, Structure
from autodiag.structures.referential import (
    Fault,
    ReferentialError,
    apply_referential,
    plan_referential,
    read_referential,
)

from .conftest import make_structure

HEADER = "code;nom;reseau;typologie;type_structure;code_postal;departement;courriel"
LINES = [
    "CAF69A;CAF du Rhône — Lyon;CNAF;operateur;Agence;69003;69;accueil@caf69.test",
    "CAF01A;CAF de l’Ain;CNAF;Opérateur ou organisme de protection sociale;;01000;1;",
    "PREF2A;Préfecture de Corse-du-Sud;Intérieur;Service de l’État;Préfecture;20000;2a;",
    "MAIRIE976;Mairie de Mamoudzou;Communes;collectivite;;97600;976;mairie@example.fr",
]


def csv_bytes(lines=LINES, header=HEADER, delimiter=";", encoding="utf-8", bom=False):
    text = "\r\n".join([header, *lines]) + "\r\n"
    if delimiter != ";":
        text = text.replace(";", delimiter)
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def read(lines=LINES, header=HEADER, **kwargs):
    return read_referential(csv_bytes(lines, header), "referentiel.csv", **kwargs)


def faults(lines, header=HEADER):
    return [(f.line, f.column, f.message) for f in read(lines, header).faults]


# -- reading ---------------------------------------------------------------------


def test_a_valid_file_reads_every_row():
    preview = read()
    assert preview.is_valid and preview.lines == 4
    rows = {row.code: row for row in preview.rows}
    assert [row.line for row in preview.rows] == [2, 3, 4, 5]
    lyon = rows["CAF69A"]
    assert (lyon.name, lyon.network, lyon.typology, lyon.structure_type) == (
        "CAF du Rhône — Lyon",
        "CNAF",
        "operateur",
        "Agence",
    )
    assert (lyon.postal_code, lyon.department_code, lyon.region_code) == ("69003", "69", "84")
    assert lyon.contact_email == "accueil@caf69.test"
    assert (rows["CAF01A"].department_code, rows["CAF01A"].typology) == ("01", "operateur")
    assert (rows["PREF2A"].department_code, rows["PREF2A"].region_code) == ("2A", "94")
    assert rows["PREF2A"].typology == "etat"
    assert (rows["MAIRIE976"].region_code, rows["MAIRIE976"].typology) == ("06", "collectivite")


def test_reading_writes_nothing(db):
    read()
    assert not Structure.objects.exists() and not Network.objects.exists()


@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        (";Nom;CNAF;etat;;;69;", "code", "code manquant"),
        ("X1;;CNAF;etat;;;69;", "nom", "nom manquant"),
        ("X1;Nom;;etat;;;69;", "reseau", "réseau manquant"),
        ("X1;Nom;CNAF;;;;69;", "typologie", "typologie manquante"),
        ("X1;Nom;CNAF;etat;;;;", "departement", "département manquant"),
        (
            "X1;Nom;CNAF;etat;;69003;;",
            "departement",
            "département manquant (le code postal indique 69, Rhône)",
        ),
        ("X1;Nom;CNAF;etat;;;999;", "departement", "département inconnu « 999 »"),
        ("X1;Nom;CNAF;etat;;;20;", "departement", "département inconnu « 20 »"),
        (
            "X1;Nom;CNAF;etat;;;69;pas-un-courriel",
            "courriel",
            "courriel invalide « pas-un-courriel »",
        ),
        ("X1;Nom;CNAF;etat;;;69;a@b", "courriel", "courriel invalide « a@b »"),
        (
            "X1;Nom;CNAF;etat;;6900A;69;",
            "code_postal",
            "code postal invalide « 6900A » (5 chiffres)",
        ),
        (
            "X1;Nom;CNAF;etat;;690031;69;",
            "code_postal",
            "code postal invalide « 690031 » (5 chiffres)",
        ),
        ("X 1;Nom;CNAF;etat;;;69;", "code", "code « X 1 » invalide : pas d’espace dans un code"),
        ("X" * 33 + ";Nom;CNAF;etat;;;69;", "code", "33\u00a0caractères, 32 au plus"),
        ("X1;" + "N" * 256 + ";CNAF;etat;;;69;", "nom", "256\u00a0caractères, 255 au plus"),
    ],
)
def test_each_fault_with_its_line_column_and_message(line, column, message):
    assert faults([LINES[0], line]) == [(3, column, message)]


def test_unknown_typology_lists_the_allowed_values():
    [(line, column, message)] = faults([LINES[0], LINES[1], "X1;Nom;CNAF;ministère;;;69;"])
    assert (line, column) == (4, "typologie")
    assert message.startswith("typologie inconnue « ministère » (valeurs permises : etat, ")


def test_duplicate_codes_name_both_lines():
    lines = [LINES[0], LINES[1], LINES[0].replace("Lyon", "Villeurbanne"), LINES[2]]
    assert faults(lines) == [(4, "code", "code « CAF69A » en double (lignes 2 et 4)")]


def test_every_faulty_line_is_reported_not_only_the_first():
    lines = [LINES[0], "A;;CNAF;etat;;;69;", LINES[1], "B;Nom;CNAF;bof;;;999;x", LINES[2]]
    preview = read(lines)
    assert [(f.line, f.column) for f in preview.faults] == [
        (3, "nom"),
        (5, "typologie"),
        (5, "departement"),
        (5, "courriel"),
    ]
    assert preview.faulty_lines == 2
    assert [row.code for row in preview.rows] == ["CAF69A", "CAF01A", "PREF2A"]
    assert str(preview.faults[0]) == "ligne 3, colonne « nom » : nom manquant"


def test_a_missing_required_column_is_a_header_fault():
    header = "code;nom;typologie;departement"
    preview = read(["A;Nom;etat;69"], header)
    assert [(f.line, f.column, f.message) for f in preview.faults] == [
        (1, "reseau", "colonne obligatoire manquante « reseau »")
    ]
    assert preview.rows == []


def test_a_column_named_twice_is_a_header_fault():
    header = "code;nom;Nom de la structure;reseau;typologie;departement"
    assert faults(["A;Nom;Nom;CNAF;etat;69"], header) == [
        (1, "nom", "colonne « Nom de la structure » en double")
    ]


def test_an_empty_file(db):
    preview = read_referential(b"", "vide.csv")
    assert [f.message for f in preview.faults] == ["fichier vide : aucune ligne d’en-tête"]


def test_header_synonyms_case_and_accents_and_ignored_columns():
    header = (
        "CODE SERVICES PUBLICS+;Nom de la structure, du service ou du site;"
        "Réseau ou opérateur de rattachement;TYPOLOGIE;Type de structure;Code postal;"
        "Département;Adresse électronique;Région"
    )
    preview = read([line + ";84" for line in LINES], header)
    assert preview.is_valid and len(preview.rows) == 4
    assert preview.ignored_columns == ["Région"]
    assert preview.rows[0].contact_email == "accueil@caf69.test"


def test_columns_in_any_order_optional_ones_absent_and_blank_lines_skipped():
    header = "departement;typologie;reseau;nom;code"
    preview = read(["69;etat;CNAF;Nom A;A", "", ";;;;", "2B;hopital;CH;Nom B;B"], header)
    assert preview.is_valid
    assert [(r.code, r.department_code, r.line) for r in preview.rows] == [
        ("A", "69", 2),
        ("B", "2B", 5),
    ]
    assert preview.lines == 2


def test_department_by_name_and_four_digit_postal_code():
    preview = read(["A;Nom;CNAF;etat;;1000;Côtes d'Armor;"])
    assert preview.is_valid
    assert (preview.rows[0].department_code, preview.rows[0].postal_code) == ("22", "01000")


def test_comma_delimiter_and_quoted_fields():
    lines = ['A,"Agence, centre-ville",CNAF,etat,,,69,', "B,Autre,CNAF,etat,,,69,"]
    preview = read_referential(csv_bytes(lines, HEADER.replace(";", ","), delimiter=","), "r.csv")
    assert preview.is_valid
    assert [r.name for r in preview.rows] == ["Agence, centre-ville", "Autre"]


def test_utf8_bom():
    preview = read_referential(csv_bytes(bom=True), "r.csv")
    assert preview.is_valid and preview.rows[0].code == "CAF69A"


def test_windows_1252():
    data = csv_bytes(encoding="cp1252", lines=[line.replace("’", "'") for line in LINES])
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    preview = read_referential(data, "r.csv")
    assert preview.is_valid
    assert preview.rows[0].name == "CAF du Rhône — Lyon"
    assert preview.rows[2].name == "Préfecture de Corse-du-Sud"


def test_multiline_quoted_field_keeps_line_numbers():
    lines = ['A;"Nom sur\ndeux lignes";CNAF;etat;;;69;', "B;;CNAF;etat;;;69;"]
    preview = read(lines)
    assert preview.rows[0].name == "Nom sur\ndeux lignes"
    assert [(f.line, f.column) for f in preview.faults] == [(4, "nom")]


def test_path_and_file_object(tmp_path):
    path = tmp_path / "referentiel.csv"
    path.write_bytes(csv_bytes())
    assert read_referential(path).filename == "referentiel.csv"
    assert len(read_referential(str(path)).rows) == 4
    with path.open("rb") as handle:
        assert len(read_referential(handle, "upload.csv").rows) == 4


def xlsx_bytes(rows):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx():
    data = xlsx_bytes(
        [
            ["Code", "Nom", "Réseau", "Typologie", "Code postal", "Département", "Courriel"],
            [
                "A1",
                "CAF de l’Ain",
                "CNAF",
                "Opérateur",
                1000,
                1,
                None,
            ],  # numbers, as Excel keeps them
            [None, None, None, None, None, None, None],
            ["A2", "Mairie", "Communes", "collectivité", "97600", "976", "m@example.fr"],
            ["A3", None, "Communes", "collectivite", None, 999, "x"],
        ]
    )
    preview = read_referential(data, "referentiel.xlsx")
    assert [(r.code, r.postal_code, r.department_code, r.typology) for r in preview.rows] == [
        ("A1", "01000", "01", "operateur"),
        ("A2", "97600", "976", "collectivite"),
    ]
    assert [(f.line, f.column) for f in preview.faults] == [
        (5, "nom"),
        (5, "departement"),
        (5, "courriel"),
    ]


def test_a_broken_xlsx_is_one_fault():
    preview = read_referential(b"PK\x03\x04 not really a zip", "r.xlsx")
    assert [f.message for f in preview.faults] == [
        "fichier illisible : ni un CSV ni un classeur XLSX valide"
    ]


# -- applying --------------------------------------------------------------------


def snapshot():
    return {
        s.code: (s.name, s.network.name, s.department_code, s.region_code, s.is_active)
        for s in Structure.objects.select_related("network")
    }


@pytest.mark.django_db
def test_apply_creates_structures_and_networks():
    counts = apply_referential(read())
    assert (counts.created, counts.updated, counts.unchanged) == (4, 0, 0)
    assert (counts.deactivated, counts.reactivated, counts.networks_created) == (0, 0, 3)
    assert sorted(Network.objects.values_list("name", flat=True)) == [
        "CNAF",
        "Communes",
        "Intérieur",
    ]
    lyon = Structure.objects.get(code="CAF69A")
    assert (lyon.name, lyon.network.name, lyon.typology, lyon.structure_type) == (
        "CAF du Rhône — Lyon",
        "CNAF",
        "operateur",
        "Agence",
    )
    assert (lyon.postal_code, lyon.department_code, lyon.region_code, lyon.is_active) == (
        "69003",
        "69",
        "84",
        True,
    )
    assert lyon.contact_email == "accueil@caf69.test"


@pytest.mark.django_db
def test_importing_twice_updates_never_duplicates():
    apply_referential(read())
    ids = dict(Structure.objects.values_list("code", "id"))
    counts = apply_referential(read())
    assert (counts.created, counts.updated, counts.unchanged, counts.networks_created) == (
        0,
        0,
        4,
        0,
    )
    changed = [LINES[0].replace("Lyon", "Lyon Part-Dieu"), *LINES[1:]]
    counts = apply_referential(read(changed))
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 3)
    assert Structure.objects.count() == 4
    assert dict(Structure.objects.values_list("code", "id")) == ids
    assert Structure.objects.get(code="CAF69A").name == "CAF du Rhône — Lyon Part-Dieu"


@pytest.mark.django_db
def test_unchanged_rows_are_untouched():
    apply_referential(read())
    plan = plan_referential(read([LINES[0].replace("Lyon", "Lyon 3e"), *LINES[1:]]))
    assert [row.code for row in plan.updates] == ["CAF69A"]  # the only row written
    assert plan.creates == []
    assert plan.deactivate == [] and plan.counts.unchanged == 3


@pytest.mark.django_db
def test_existing_network_matched_whatever_its_case():
    Network.objects.create(name="CNAF")
    counts = apply_referential(read([LINES[0].replace(";CNAF;", ";cnaf;")]))
    assert counts.networks_created == 0
    assert Structure.objects.get(code="CAF69A").network.name == "CNAF"


@pytest.mark.django_db
def test_missing_structures_of_the_same_network_only_become_inactive():
    make_structure("OLDCAF", "Ancienne agence", "CNAF")
    make_structure("OTHER", "Préfecture d’ailleurs", "Autre réseau")
    counts = apply_referential(read(LINES[:2]))  # CNAF only
    assert counts.deactivated == 1
    assert Structure.objects.get(code="OLDCAF").is_active is False
    assert Structure.objects.get(code="OTHER").is_active is True
    assert Structure.objects.count() == 4  # never deleted


@pytest.mark.django_db
def test_a_structure_listed_again_is_reactivated(structure):
    apply_referential(read(LINES[:2]))  # the fixture's CNAF structure is not listed
    structure.refresh_from_db()
    assert structure.is_active is False
    line = f"{structure.code};{structure.name};CNAF;operateur;;;69;"
    counts = apply_referential(read([*LINES[:2], line]))
    assert (counts.reactivated, counts.unchanged, counts.deactivated) == (1, 2, 0)
    structure.refresh_from_db()
    assert structure.is_active is True


@pytest.mark.django_db
def test_a_structure_can_change_network():
    make_structure("MOVED", "Agence", "Ancien réseau")
    counts = apply_referential(read(["MOVED;Agence;CNAF;operateur;;;69;"]))
    assert counts.updated == 1
    assert Structure.objects.get(code="MOVED").network.name == "CNAF"


@pytest.mark.django_db
def test_a_preview_with_faults_writes_nothing():
    preview = read([*LINES, "X1;;CNAF;etat;;;69;"])
    assert len(preview.rows) == 4
    with pytest.raises(ReferentialError) as error:
        apply_referential(preview)
    assert error.value.faults == [Fault(6, "nom", "nom manquant")]
    with pytest.raises(ReferentialError):
        plan_referential(preview)
    assert not Structure.objects.exists() and not Network.objects.exists()


@pytest.mark.django_db
def test_a_failure_while_writing_leaves_nothing_behind(monkeypatch):
    from autodiag.structures import referential

    calls = []
    original = Structure.objects.filter

    def failing_filter(*args, **kwargs):
        if "id__in" in kwargs:
            calls.append(kwargs)
            raise RuntimeError("panne")
        return original(*args, **kwargs)

    make_structure("OLDCAF", "Ancienne agence", "CNAF")
    monkeypatch.setattr(referential.Structure.objects, "filter", failing_filter)
    before = snapshot()
    with pytest.raises(RuntimeError):
        apply_referential(read())
    assert calls
    monkeypatch.undo()
    assert snapshot() == before
    assert Network.objects.count() == 1


@pytest.mark.django_db
def test_networks_allowed_for_a_network_head():
    cnaf = Network.objects.create(name="CNAF")
    other = make_structure("ELSEWHERE", "Préfecture", "Intérieur")
    lines = [*LINES[:2], f"{other.code};Reprise;CNAF;etat;;;69;", LINES[2]]
    preview = read(lines, networks_allowed={cnaf.id})
    assert [(f.line, f.column, f.message) for f in preview.faults] == [
        (
            4,
            "code",
            "la structure « ELSEWHERE » appartient au réseau « Intérieur », hors de votre périmètre",
        ),
        (5, "reseau", "réseau « Intérieur » hors de votre périmètre"),
    ]
    # The same check when applying a preview read without the scope.
    with pytest.raises(ReferentialError) as error:
        apply_referential(read(lines), networks_allowed={cnaf.id})
    assert [f.line for f in error.value.faults] == [4, 5]
    assert Structure.objects.count() == 1
    counts = apply_referential(read(LINES[:2]), networks_allowed={cnaf.id})
    assert counts.created == 2


# -- the command -----------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import-structures", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_command_dry_run_then_real(tmp_path):
    make_structure("OLDCAF", "Ancienne agence", "CNAF")
    path = tmp_path / "referentiel.csv"
    path.write_bytes(csv_bytes())
    code, out, err = run(str(path), "--dry-run")
    assert code == 0
    assert "Simulation (rien n’est écrit) : 4\u00a0lignes lues" in out
    assert "structures créées : 4" in out
    assert "structures désactivées (absentes du fichier) : 1" in out
    assert "lecture" in err and "100 %" in err
    assert Structure.objects.count() == 1

    code, out, err = run(str(path))
    assert code == 0
    assert "Import terminé : 4\u00a0lignes" in out and "réseaux créés : 2" in out
    assert "écriture" in err
    assert Structure.objects.count() == 5
    assert Structure.objects.filter(is_active=False).count() == 1

    code, out, _ = run(str(path))
    assert "structures inchangées : 4" in out and "structures créées : 0" in out


@pytest.mark.django_db
def test_command_lists_the_first_50_faults_and_exits_1(tmp_path):
    path = tmp_path / "referentiel.csv"
    path.write_bytes(csv_bytes([f"C{n};;CNAF;etat;;;69;" for n in range(60)]))
    code, out, _ = run(str(path))
    assert code == 1
    assert "Référentiel refusé, rien n’est écrit : 60 erreurs sur 60 lignes." in out
    assert "  - ligne 2, colonne « nom » : nom manquant" in out
    assert out.count("  - ligne") == 50
    assert "… et 10\u00a0autres." in out
    assert not Structure.objects.exists()


@pytest.mark.django_db
def test_command_on_a_missing_file():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="fichier illisible"):
        call_command("import-structures", "/nonexistent/referentiel.csv")


def test_command_through_the_autodiag_cli(tmp_path):
    import os
    import subprocess
    import sys

    path = tmp_path / "referentiel.csv"
    path.write_bytes(csv_bytes(["A;;CNAF;etat;;;69;"]))
    env = {**os.environ, "AUTODIAG_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "autodiag", "import-structures", str(path), "--dry-run"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert "ligne 2, colonne « nom » : nom manquant" in result.stdout
