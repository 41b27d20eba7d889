# SPDX-License-Identifier: LGPL-2.1-or-later
"""The docs point at things that exist: every relative link in README.md and docs/*.md names an
existing file and, with a #fragment, a heading of it; every repository path they write out
(`src/daemon/vm.c`, `docs/pci.md`…) exists; docs/ARCHITECTURE.md's tree names every folder of
the repository and of src/, and each file its code map names is where the map says. Reads the
source tree only: no build, no VM."""
import fnmatch
import pathlib
import re

import pytest

SOURCE = pathlib.Path(__file__).resolve().parents[2]
DOCS = [SOURCE / "README.md"] + sorted((SOURCE / "docs").glob("*.md"))
ARCHITECTURE = SOURCE / "docs" / "ARCHITECTURE.md"
LAYERS = ["basic", "protocol", "shared"]

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# A path written out from the repository's top: a known top folder, not inside an absolute path
# or URL. Globs and <placeholders> are left out; `mux.{h,c}` is checked as mux.c.
TOP = "src|tests|scripts|data|guest|docs|fuzz|bench|man|debian|nix|examples"
REPO_PATH = re.compile(r"(?<![\w./<>:-])((?:%s)/[\w.+/{},*<>-]*)" % TOP)
# A file name in the code map: something.ext, or a folder with its trailing slash.
MAP_NAME = re.compile(r"`([\w.+-]+(?:/[\w.+-]+)*(?:\.(?:c|h|in|sh|py|bash|conf|service|nix)"
                      r"|/))`")


def slug(heading):
    """GitHub's anchor of a heading: lower case, punctuation but '-' and '_' dropped, spaces to
    dashes."""
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path):
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)
    return {slug(m) for m in re.findall(r"^#+\s+(.*)$", text, re.M)}


def prose(path):
    """The text outside fenced code blocks (commands and sample output name no files of ours)."""
    return re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(SOURCE).as_posix())
def test_relative_links_resolve(doc):
    broken = []
    for target in LINK.findall(prose(doc)):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue  # https:, mailto:, file:
        path, _, fragment = target.partition("#")
        dest = (doc.parent / path).resolve() if path else doc
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
            broken.append(f"{target}: no heading #{fragment} in {dest.name}")
    assert not broken, f"{doc.name}: {broken}"


def exists(path):
    """A source path, a source without its extension (`src/protocol/mux.{h,c}`), or a program
    the folder's meson.build builds (`src/agent/vmsilo-agent`)."""
    full = SOURCE / path
    if full.exists() or full.with_name(full.name + ".c").exists():
        return True
    build = full.parent / "meson.build"
    return build.exists() and f"'{full.name}'" in build.read_text()


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(SOURCE).as_posix())
def test_repository_paths_exist(doc):
    paths = {re.sub(r"\.\{[\w,]*\}$", "", p.rstrip(".,")) for p in REPO_PATH.findall(prose(doc))}
    missing = sorted(p for p in paths if not re.search(r"[*<>{}]", p) and not exists(p))
    assert not missing, f"{doc.name} names paths that do not exist: {missing}"


def section(text, title):
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_architecture_tree_names_every_folder():
    text = ARCHITECTURE.read_text()
    # The opening says why vmsilo is not built on libvirt (issue 18's layering).
    assert "Why not libvirt" in text.split("\n## ", 1)[0]
    tree = section(text, "The tree")
    named = set(re.findall(r"(?<![\w/])([a-z]+/(?:[a-z]+/)?)", tree))
    for folder in sorted(named):
        assert (SOURCE / folder).is_dir(), f"the tree names {folder}, which does not exist"
    for folder in sorted(p for p in (SOURCE / "src").iterdir() if p.is_dir()):
        assert f"src/{folder.name}/" in named, f"the tree lacks src/{folder.name}/"


def test_code_map_names_every_top_folder():
    code_map = section(ARCHITECTURE.read_text(), "Code map")
    folders = sorted(p.name for p in SOURCE.iterdir()
                     if p.is_dir() and not p.name.startswith((".", "build")))
    missing = [f for f in folders if f"`{f}/" not in code_map]
    assert not missing, f"the code map lacks {missing}"


def code_map_entries():
    """(folder, name) for every file name of the code map, in the folder of its bullet."""
    code_map = section(ARCHITECTURE.read_text(), "Code map")
    for bullet in re.split(r"^- ", code_map, flags=re.M)[1:]:
        folder = re.match(r"`([\w/.-]+/)`", bullet)
        for name in MAP_NAME.findall(bullet):
            yield folder.group(1) if folder else "", name


def test_code_map_files_exist():
    entries = list(code_map_entries())
    assert len(entries) > 150, entries
    missing = []
    for folder, name in entries:
        candidates = [SOURCE / name, SOURCE / folder / name]
        # A bare name may sit one folder down (data/completion/, guest/init.d/), or in a layer
        # the bullet's program uses (`sandbox.c` of vm-start-debug is src/shared/sandbox.c).
        if folder:
            candidates += list((SOURCE / folder).glob(f"*/{name}"))
        if folder.startswith("src/"):
            candidates += [SOURCE / "src" / layer / name for layer in LAYERS]
        if not any(c.exists() for c in candidates):
            missing.append(f"{folder}{name}")
    assert not missing, f"docs/ARCHITECTURE.md's code map names missing files: {missing}"


def test_every_source_file_is_in_the_code_map():
    """Each program's and layer's .c file is named in the code map (headers go with their .c;
    a pattern such as `cmd-*.c` covers its files), so a new file gets its place on the map."""
    entries = {(folder, name) for folder, name in code_map_entries()}
    patterns = re.findall(r"`([\w*.-]*\*[\w*.-]*\.c)`", section(ARCHITECTURE.read_text(), "Code map"))
    missing = []
    for path in sorted((SOURCE / "src").glob("*/*.c")):
        folder = f"src/{path.parent.name}/"
        if (folder, path.name) not in entries and not any(fnmatch.fnmatch(path.name, p)
                                                          for p in patterns):
            missing.append(path.relative_to(SOURCE).as_posix())
    assert not missing, f"the code map lacks {missing}"
