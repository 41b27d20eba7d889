# SPDX-License-Identifier: LGPL-2.1-or-later
"""The man pages (man/*.scd, built by scdoc into <build>/man) agree with the programs: every
option that a built binary's --help lists is documented in its page, and every option a page
documents exists in some --help of that program. The units' Documentation= man references
resolve to built pages, vmsilo(1) names each multi-call name, and vmsilo.json(5) names every
option of the README's configuration tables. No VM."""
import json
import pathlib
import re
import subprocess

import pytest

from daemon import binary, build_dir

OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")
# Verbs with a --help of their own besides each command's.
CLI_VERBS = [["config", "plan"]]
ALIASES = ["vm-run", "vm-start", "vm-stop", "vm-shell", "vm-start-debug"]


def help_text(argv):
    r = subprocess.run(argv + ["--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, (argv, r.stderr)
    return r.stdout


def help_options(text):
    """Options from the option lines of a --help text (those starting with a dash)."""
    options = set()
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("-"):
            options.update(OPTION.findall(stripped.split("  ")[0]))
    return options


def page(name):
    path = build_dir() / "man" / name
    if not path.exists():
        pytest.skip(f"{path} not built (scdoc missing, -Dman=disabled)")
    # roff: bold/italic switches and escaped characters around the words.
    return re.sub(r"\\f[BIRP]|\\&", "", path.read_text()).replace("\\-", "-")


def page_options(text):
    """Options the page sets in bold (\\fB--x\\fR in the built page) as definitions."""
    return set(OPTION.findall(" ".join(re.findall(r"^\.?(-[^\n]*)$", text, re.M))))


def cli_commands():
    """Every command `vmsilo --help` lists, so that a new one is checked too."""
    text = help_text([binary("vmsilo")]).split("Commands:")[1].split("\n\n")[0]
    commands = [[line.split()[0]] for line in text.splitlines() if line.strip()]
    assert ["run"] in commands and ["image"] in commands, commands
    return [[]] + commands + CLI_VERBS


PROGRAMS = {
    "vmsilo.1": lambda: [[binary("vmsilo")] + c for c in cli_commands()],
    "vmsilod.8": lambda: [[binary("vmsilod")]],
    "vmsilo-balloond.8": lambda: [[str(build_dir() / "src/balloond/vmsilo-balloond")]],
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_help_option_is_in_the_page(name):
    text = page(name)
    for argv in PROGRAMS[name]():
        missing = sorted(o for o in help_options(help_text(argv)) if o not in OPTION.findall(text))
        assert not missing, f"{' '.join(argv[1:]) or argv[0]} --help: {missing} not in {name}"


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_page_option_exists(name):
    known = set()
    for argv in PROGRAMS[name]():
        known |= help_options(help_text(argv))
    documented = page_options(page(name))
    assert documented, f"{name}: no option definitions found"
    assert documented <= known, f"{name} documents options no --help has: {documented - known}"


def test_vmsilo_page_names_every_multicall_name():
    name_section = page("vmsilo.1").split(".SH SYNOPSIS")[0]
    for alias in ALIASES:
        assert alias in name_section


def test_unit_documentation_pages_are_built():
    units = [build_dir() / "data" / "vmsilod.service",
             build_dir() / "src" / "balloond" / "vmsilo-balloond.service"]
    refs = []
    for unit in units:
        for line in unit.read_text().splitlines():
            if line.startswith("Documentation="):
                refs += re.findall(r"man:([\w.-]+)\((\d)\)", line)
    assert ("vmsilod", "8") in refs and ("vmsilo-balloond", "8") in refs, refs
    for topic, section in refs:
        page(f"{topic}.{section}")


def test_config_page_names_every_readme_option():
    info = json.loads((build_dir() / "meson-info" / "meson-info.json").read_text())
    readme = pathlib.Path(info["directories"]["source"]) / "README.md"
    tables = readme.read_text().split("### Top level")[1].split("### Disks")[0]
    keys = set(re.findall(r"^\| `([\w.-]+)`", tables, re.M))
    assert len(keys) > 40, keys
    text = page("vmsilo.json.5")
    missing = sorted(k for k in keys
                     if not re.search(r"(?<![\w.-])" + re.escape(k) + r"(?![\w-])", text))
    assert not missing, f"vmsilo.json(5) lacks {missing}"


def readme_commands():
    """(argv of the command, words of its README cell) for each row of the README's command
    table ("Using it"): `vm-run …` is `vmsilo run`, `vmsilo status …` is `vmsilo status`."""
    info = json.loads((build_dir() / "meson-info" / "meson-info.json").read_text())
    readme = pathlib.Path(info["directories"]["source"]) / "README.md"
    table = readme.read_text().split("## Using it")[1].split("\n\n")[1]
    rows = []
    for line in table.splitlines()[2:]:
        cell = re.split(r"(?<!\\) \| ", line.strip("| "))[0].replace("\\|", "|")
        for usage in re.findall(r"`([^`]+)`", cell):
            words = usage.split()
            if words[0].startswith("vm-"):
                argv = [binary("vmsilo"), words[0].removeprefix("vm-")]
            else:
                argv = [binary("vmsilo"), words[1]]
            rows.append((argv, usage))
    assert len(rows) > 12, rows
    return rows


def test_readme_command_table_agrees_with_help_and_page():
    """Every option and sub-verb the README's command table shows is in that command's --help
    and in vmsilo(1), and every command --help lists is in the table."""
    text = page("vmsilo.1")
    commands = set()
    for argv, usage in readme_commands():
        commands.add(argv[1])
        helps = help_text(argv) + (help_text(argv + ["plan"]) if argv[1] == "config" else "")
        options = set(OPTION.findall(usage))
        verbs = set(re.findall(r"(?<=[ |])([a-z][a-z-]+)(?=[ |]|$)", usage)) - {argv[1]}
        for word in sorted(options | verbs):
            assert re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", helps), \
                f"README's `{usage}`: {word} not in `vmsilo {argv[1]} --help`"
            assert re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", text), \
                f"README's `{usage}`: {word} not in vmsilo(1)"
    listed = {c[0] for c in cli_commands() if len(c) == 1}
    assert listed <= commands, f"README's command table lacks {sorted(listed - commands)}"
