"""The French catalog is complete, current and compiled."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG_DIR = ROOT / "app" / "translations" / "fr" / "LC_MESSAGES"


def load_po():
    with open(CATALOG_DIR / "messages.po", "rb") as handle:
        return read_po(handle, locale="fr")


def message_ids(catalog) -> set:
    return {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id
    }


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Extract the strings the code uses now, as `make i18n` does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "--mapping",
            "babel.cfg",
            "--keywords",
            "N_",
            "--no-location",
            "--output-file",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as handle:
        return read_po(handle)


def test_every_string_in_the_code_is_in_the_catalog(extracted):
    """A string added to the code without `make i18n` fails here."""
    missing = message_ids(extracted) - message_ids(load_po())
    assert not missing, f"run `make i18n`; not in the catalog: {sorted(missing)[:5]}"


def test_catalog_holds_no_string_the_code_dropped(extracted):
    stale = message_ids(load_po()) - message_ids(extracted)
    assert not stale, f"run `make i18n`; obsolete entries: {sorted(stale)[:5]}"


def test_every_string_has_a_french_translation():
    untranslated = []
    for message in load_po():
        if not message.id:
            continue
        strings = message.string if message.pluralizable else (message.string,)
        if not all(strings) or message.fuzzy:
            untranslated.append(message.id)
    assert not untranslated, f"untranslated: {untranslated[:5]}"


def test_compiled_catalog_matches_the_sources():
    """The committed .mo serves what the .po says (a deployment runs no make)."""
    with open(CATALOG_DIR / "messages.mo", "rb") as handle:
        compiled = {key(m.id): key(m.string) for m in read_mo(handle)}
    for message in load_po():
        if message.id:
            assert compiled.get(key(message.id)) == key(message.string), message.id


def key(value):
    """Plural ids and strings come as lists; make them comparable and hashable."""
    return tuple(value) if isinstance(value, list | tuple) else value
