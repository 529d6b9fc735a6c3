"""Every fact the repository cites is in the repository (issue 18).

docs/api/README.md ("Citing these files") states the rules this gate holds every text file to:

* no file cites a path outside the repository: the folder of API notes and seeds that sat next to
  the first checkouts, or an absolute path of the machine the collection was developed on. A
  ``shared/...`` path is fine when the file it names is tracked in a ``shared/`` folder of the
  repository (molecule's ``extensions/molecule/shared/``), and a relative ``api/README`` is fine
  when it leads to ``docs/api/README.md``. A seed named by its file name alone (an API's name
  first, ``.txt`` last) is outside too, unless such a file is tracked;
* every ``docs/api/<name>.md`` a file cites exists;
* a section cited as ``docs/api/<name>.md, <Section>`` or ``docs/api/<name>.md (<Section>`` is a
  ``## `` heading of that file: words after the comma or parenthesis that start with a capital
  letter must start with a heading (lower-case words are prose, not a section);
* each API file of docs/api has the five sections, in their order.

The files are those git knows (tracked, or new and not ignored), read once; binary files are
skipped. The whole check takes a few hundredths of a second.
"""

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
THIS = Path(__file__).resolve().relative_to(ROOT).as_posix()
API_DOCS = "docs/api"
SECTIONS = ["Endpoints", "Seed", "Confirmed", "Invented", "Open questions"]

# What leaves the repository. This file shows each pattern in its own tests, so it is not checked itself.
NOTES_OR_SEEDS = re.compile(r"shared/(?:api|seeds)/")
MACHINE_PATH = re.compile(r"/work/")
UP_TO_SHARED = re.compile(r"(?:\.\./)+(shared/[\w./-]*[\w-])")
API_README = re.compile(r"(?<!docs/)(?<![\w-])api/README")
PATH_CHARS = re.compile(r"[\w./-]*$")
# A seed by its file name alone (hostup-vps-delete-backup.txt, "the hostup-*.txt seeds").
SEED_NAME = re.compile(r"\b(?:hostup|bigchange|cloudfoundry|vsp)[\w*.-]*\.txt\b")
# Any of the above: only the lines where one of these matches are looked at closely.
# The interface text that sat next to the first checkouts, cited as INTERFACE.md or "INTERFACE: <section>".
INTERFACE = re.compile(r"\bINTERFACE(?:\.md\b|:)")
HINT = re.compile(r"shared/|/work/|api/README|\.txt\b|INTERFACE")
CITATION = re.compile(r"docs/api/([\w.-]+\.md)(?:(?:, | \()\"?([A-Z][A-Za-z ]*))?")


def repository_files():
    """The repository's text files as {path: text}: tracked, or new and not ignored; binaries skipped."""
    try:
        listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                 cwd=str(ROOT), capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip("not a git checkout (%s): the citation gate reads the files git knows" % exc)
    texts = {}
    for path in sorted(set(filter(None, listing.decode("utf-8").split("\0")))):
        full = ROOT / path
        if full.is_symlink() or not full.is_file():
            continue
        data = full.read_bytes()
        if b"\0" in data:
            continue
        try:
            texts[path] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return texts


def headings(text):
    return [line[3:].strip() for line in text.splitlines() if line.startswith("## ")]


class Known:
    """What the repository holds: its files, the paths inside its ``shared/`` folders, its file names."""

    def __init__(self, files):
        self.files = files
        self.shared = {f[f.index("shared/"):] if f.startswith("shared/") else f[f.index("/shared/") + 1:]
                       for f in files if f.startswith("shared/") or "/shared/" in f}
        self.names = {f.rsplit("/", 1)[-1] for f in files}
        self.headings = {f: headings(text) for f, text in files.items() if f.startswith(API_DOCS + "/")}


def lines_with(pattern, text):
    """(line number, line) of each line of ``text`` where ``pattern`` matches, found in one pass over it."""
    seen = set()
    for match in pattern.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        if start not in seen:
            seen.add(start)
            end = text.find("\n", match.end())
            yield text.count("\n", 0, start) + 1, text[start:len(text) if end < 0 else end]


def outside_citations(path, text, known):
    """(line number, reason, excerpt) for each line of ``text`` that cites a path outside the repository."""
    found = []
    for number, line in lines_with(HINT, text):
        reasons = []
        if NOTES_OR_SEEDS.search(line):
            reasons.append("the API notes or seeds outside the repository: cite docs/api/<api>.md")
        if MACHINE_PATH.search(line):
            reasons.append("an absolute path of the development machine")
        for match in SEED_NAME.finditer(line):
            if match.group(0) not in known.names:
                reasons.append("the seed %s is outside the repository: cite docs/api/<api>.md, Seed" % match.group(0))
        if INTERFACE.search(line) and "INTERFACE.md" not in known.names:
            reasons.append("the interface text outside the repository: cite the docs that state it (docs/, README.md)")
        for match in UP_TO_SHARED.finditer(line):
            if match.group(1) not in known.shared:
                reasons.append("%s is not a file of a shared/ folder of the repository" % match.group(0))
        for match in API_README.finditer(line):
            start = PATH_CHARS.search(line[:match.start()]).group(0)
            target = os.path.normpath(os.path.join(os.path.dirname(path), start + "api/README.md"))
            if target != API_DOCS + "/README.md" and not start.endswith("shared/"):
                reasons.append("%sapi/README is not docs/api/README.md" % start)
        if reasons:
            found.append((number, "; ".join(reasons), line.strip()[:160]))
    return found


def docs_api_citations(text, known):
    """(line number, reason, excerpt) for each citation in ``text`` of a docs/api file or section that is not there."""
    found = []
    for number, line in lines_with(CITATION, text):
        for match in CITATION.finditer(line):
            name, section = match.group(1), (match.group(2) or "").strip()
            cited = "%s/%s" % (API_DOCS, name)
            if cited not in known.files:
                found.append((number, "%s does not exist" % cited, line.strip()[:160]))
            elif section and not any(section == h or section.startswith(h + " ") for h in known.headings[cited]):
                found.append((number, "%s has no section %r (its sections: %s)"
                              % (cited, section, ", ".join(known.headings[cited])), line.strip()[:160]))
    return found


def report(problems):
    return "\n".join("%s:%d: %s\n    %s" % problem for problem in problems)


@pytest.fixture(scope="module")
def known():
    return Known(repository_files())


def test_no_file_cites_a_path_outside_the_repository(known):
    problems = [(path,) + found for path, text in known.files.items() if path != THIS
                for found in outside_citations(path, text, known)]
    assert not problems, "files that cite paths outside the repository (see docs/api/README.md):\n" + report(problems)


def test_every_docs_api_citation_names_a_file_and_a_section_that_exist(known):
    problems = [(path,) + found for path, text in known.files.items() if path != THIS
                for found in docs_api_citations(text, known)]
    assert not problems, "citations of docs/api that do not hold:\n" + report(problems)


def test_each_api_file_has_the_five_sections_in_order(known):
    api_files = sorted(p for p in known.headings if p.endswith(".md") and not p.endswith("/README.md"))
    assert api_files, "docs/api has no API file"
    for path in api_files:
        assert known.headings[path] == SECTIONS, "%s: its ## headings must be %s" % (path, SECTIONS)


# ------------------------------------------------------------------------- the gate's own rules

FAKE = Known({"docs/api/hostup.md": "# HostUp\n\n## Endpoints\n\n## Confirmed\n\n## Open questions\n",
              "docs/api/README.md": "# Index\n",
              "extensions/molecule/shared/create.yml": "---\n"})


@pytest.mark.parametrize("path, line", [
    ("tests/simulator/x.py", "as documented in ../shared/api/README.md"),
    ("tests/simulator/x.py", "the seed shared/seeds/hostup-vps-delete-backup.txt"),
    ("tests/simulator/x.py", "DOCUMENTED (api/README, Confirmed since)"),
    ("tests/simulator/x.py", "as documented in the hostup-*.txt seeds"),
    ("tests/simulator/x.py", "DOCUMENTED (seed = bigchange-cancel-job.txt)"),
    ("README.md", "see /work/main/docs"),
    ("extensions/molecule/config.yml", "create: ../shared/destroy-all.yml"),
    ("docs/development.md", "[the facts](../api/README.md)"),
    ("docs/benchmark.md", "a runtime dependency of the interface (INTERFACE.md)"),
    ("plugins/module_utils/_vsp/client.py", "any other failure ends the run (INTERFACE: VSP)."),
])
def test_the_gate_finds_a_path_outside_the_repository(path, line):
    assert outside_citations(path, line, FAKE)


@pytest.mark.parametrize("path, line", [
    ("extensions/molecule/config.yml", "    create: ../shared/create.yml"),
    ("extensions/molecule/README.md", "| create | `shared/create.yml` | starts the simulator |"),
    ("docs/development.md", "[docs/api/README.md](api/README.md)"),
    ("README.md", "[docs/api/README.md](docs/api/README.md)"),
    ("tests/bench/bench.py", "See tests/bench/README.md."),
    ("Makefile", "$(PIP) install --quiet -r requirements-dev.txt"),
])
def test_the_gate_lets_paths_inside_the_repository_pass(path, line):
    assert not outside_citations(path, line, FAKE)


@pytest.mark.parametrize("line, bad", [
    ("Source: docs/api/hostup.md, Confirmed.", False),
    ("(docs/api/hostup.md, Open questions: the schema)", False),
    ("DOCUMENTED (docs/api/hostup.md (Confirmed))", False),
    ("docs/api/hostup.md, and the tests", False),
    ("see docs/api/hostup.md.", False),
    ("docs/api/hostup.md, Invented", True),
    ("docs/api/hostup.md, Confirmed since", False),
    ("docs/api/hostup.md, Confirmations", True),
    ("docs/api/nowhere.md", True),
])
def test_the_gate_checks_docs_api_citations(line, bad):
    assert bool(docs_api_citations(line, FAKE)) == bad
