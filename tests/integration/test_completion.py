# SPDX-License-Identifier: LGPL-2.1-or-later
"""The bash completion as meson installs it (<build>/data/vmsilo) agrees with the client: it
offers every command `vmsilo --help` lists and, for each, exactly the options of its --help; VM
names come from `vmsilo list` (a fake control socket here), else from the configuration file,
whose default is meson's sysconfdir; sub-verbs (config, desktop, clipboard) complete. No VM."""
import json
import os
import subprocess

import pytest

from daemon import binary, build_dir
from test_manpages import help_options, help_text

# The completion's option lists by name, and the command line whose --help they follow.
OPTION_LISTS = {"run": ["run"], "start": ["start"], "stop": ["stop"], "status": ["status"],
                "list": ["list"], "reload": ["reload"], "shell": ["shell"],
                "start-debug": ["start-debug"], "image-build": ["image", "build"],
                "config-plan": ["config", "plan"], "clipboard": ["clipboard"]}


def completion():
    path = build_dir() / "data" / "vmsilo"
    assert path.is_file(), f"{path}: not configured by meson"
    return path


def complete(words, cli_links, runtime, extra=""):
    """COMPREPLY for the command line `words`, the last being the word under the cursor."""
    array = " ".join(f"'{w}'" for w in words)
    script = (f"source {completion()}; {extra}COMP_WORDS=({array}); "
              f"COMP_CWORD={len(words) - 1}; _vmsilo; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, PATH=f"{cli_links}:{os.environ['PATH']}",
                                VMSILO_RUNTIME_DIR=str(runtime)))
    assert r.returncode == 0, r.stderr
    return sorted(w for w in r.stdout.split("\n") if w)


@pytest.fixture
def names(fake_control):
    fake_control(lambda request: {"ok": True, "vms": [{"name": "banking"}, {"name": "work"}]})


def test_the_installed_fallback_is_mesons_configuration_path():
    info = build_dir() / "meson-info" / "intro-buildoptions.json"
    options = {o["name"]: o["value"] for o in json.loads(info.read_text())}
    sysconfdir = os.path.join(options["prefix"], options["sysconfdir"])
    assert f"config=${{1:-{sysconfdir}/vmsilo/config.json}}" in completion().read_text()


def test_every_command_is_offered(cli_links, short_dir):
    text = help_text([binary("vmsilo")]).split("Commands:")[1].split("\n\n")[0]
    commands = {line.split()[0] for line in text.splitlines() if line.strip()}
    offered = set(complete(["vmsilo", ""], cli_links, short_dir))
    assert commands <= offered, f"not completed: {sorted(commands - offered)}"
    assert offered - commands == {"--help", "--version"}


@pytest.mark.parametrize("name", sorted(OPTION_LISTS))
def test_option_lists_follow_help(name):
    script = f"source {completion()}; _vmsilo_options {name}"
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    listed = set(r.stdout.split())
    expected = help_options(help_text([binary("vmsilo")] + OPTION_LISTS[name]))
    assert listed == expected, f"{name}: completes {sorted(listed - expected)}, " \
                               f"lacks {sorted(expected - listed)}"


def test_vm_names_from_the_daemon(cli_links, short_dir, names):
    assert complete(["vm-start", "b"], cli_links, short_dir) == ["banking"]
    assert complete(["vmsilo", "clipboard", "paste-to", ""], cli_links, short_dir) == \
        ["banking", "work"]
    assert complete(["vmsilo", "config", "plan", "w"], cli_links, short_dir) == ["work"]


def test_vm_names_from_the_configuration_without_a_daemon(cli_links, short_dir, tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"nixosVms": [{"name": "shop"}, {"name": "school"}]}))
    words = ["vm-start-debug", "--config", str(config), "s"]
    assert complete(words, cli_links, short_dir) == ["school", "shop"]


def test_sub_verbs(cli_links, short_dir):
    assert complete(["vmsilo", "config", ""], cli_links, short_dir) == \
        ["--help", "check", "plan", "show"]
    assert complete(["vmsilo", "desktop", "snippets", ""], cli_links, short_dir) == \
        ["kwin", "sway"]
    assert complete(["vmsilo", "clipboard", "c"], cli_links, short_dir) == \
        ["clear", "copy-from"]
    assert complete(["vmsilo", "config", "plan", "--accel", ""], cli_links, short_dir) == \
        ["kvm", "tcg"]
    assert complete(["vmsilo", "image", ""], cli_links, short_dir) == ["--help", "build"]
    assert complete(["vmsilo", "image", "build", "--f"], cli_links, short_dir) == ["--force"]
    assert complete(["vmsilo", "pci", "r"], cli_links, short_dir) == ["rules"]
