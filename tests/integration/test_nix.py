# SPDX-License-Identifier: LGPL-2.1-or-later
"""The NixOS module and the flake (nix/, flake.nix), evaluated offline.

Debian's nix-bin evaluates the module with nixpkgs' lib (../shared/third_party/nixpkgs-lib/lib
beside the repository, or $VMSILO_NIXPKGS_LIB), NixOS option stubs and a fake package set
(tests/nix/). The generated /etc/vmsilo/config.json must pass the built `vmsilo config check`,
equal what the README's JSON reference gives for the same settings, and normalise
(`vmsilo config show`) to the original design's defaults. Nothing is built: derivations are
checked by name. No VM, no network.
"""
import copy
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import cli_binary

REPO = Path(__file__).resolve().parents[2]
NIX_TESTS = REPO / "tests" / "nix"


def nixpkgs_lib():
    """$VMSILO_NIXPKGS_LIB, else shared/ beside the repository (CI), else beside the main
    checkout of this git worktree."""
    rel = Path("shared") / "third_party" / "nixpkgs-lib" / "lib"
    candidates = [REPO.parent / rel]
    common = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--path-format=absolute",
                             "--git-common-dir"], capture_output=True, text=True)
    if common.returncode == 0:
        candidates.append(Path(common.stdout.strip()).parent.parent / rel)
    if os.environ.get("VMSILO_NIXPKGS_LIB"):
        candidates = [Path(os.environ["VMSILO_NIXPKGS_LIB"])]
    for path in candidates:
        if (path / "default.nix").is_file():
            return path
    pytest.fail(f"nixpkgs lib not found in {', '.join(map(str, candidates))} "
                "(set VMSILO_NIXPKGS_LIB)")


@pytest.fixture(scope="module")
def nix_env(tmp_path_factory):
    """nix-instantiate with its store, state and configuration in a temporary directory: pure
    evaluation needs no /nix, and nothing is written outside the test's directory."""
    if not shutil.which("nix-instantiate"):
        pytest.fail("nix-instantiate is missing: run scripts/install-deps (nix-bin)")
    d = tmp_path_factory.mktemp("nix")
    env = dict(os.environ, NIX_STORE_DIR=str(d / "store"), NIX_STATE_DIR=str(d / "state"),
               NIX_LOG_DIR=str(d / "log"), NIX_CONF_DIR=str(d), HOME=str(d))
    return env


def nix(env, *args):
    r = subprocess.run(["nix-instantiate", "--option", "build-users-group", "", *args],
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


def evaluate(env, configuration):
    """tests/nix/eval.nix for a configuration file (Path) or Nix expression (str)."""
    conf = ["--arg", "configuration", str(configuration) if isinstance(configuration, Path)
            else configuration]
    out = nix(env, "--readonly-mode", "--eval", "--strict", "--json", str(NIX_TESTS / "eval.nix"),
              "--arg", "nixpkgsLib", str(nixpkgs_lib()), *conf)
    return json.loads(out)


@pytest.fixture(scope="module")
def quickstart(nix_env):
    return evaluate(nix_env, NIX_TESTS / "quickstart.nix")


@pytest.fixture(scope="module")
def full(nix_env):
    return evaluate(nix_env, NIX_TESTS / "full.nix")


def vmsilo_config(tmp_path, verb, document):
    path = tmp_path / f"config-{verb}.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    r = subprocess.run([str(cli_binary()), "config", verb, str(path)], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return r.stdout


# ---- the README's JSON reference: every default, as its tables give them -------------------

TOP_DEFAULTS = {
    "enable": False,
    "hostNetworking": {"nat": {"enable": False, "interface": ""}},
    "nixosVms": [],
    "enableBashIntegration": True,
    "crosvm": {"logLevel": "info", "extraArgs": [], "extraRunArgs": []},
    "vmsilo-balloond": {"logLevel": "info", "pollInterval": "2s", "criticalHostPercent": 5,
                        "guestAvailableBias": "300m", "extraArgs": []},
    "vmsilo-tray": {"logLevel": "info"},
    "isolatedPciDevices": [],
    "vmm": "auto",
    "acceleration": "auto",
    "waylandDisplay": None,
    "frameWidth": 4,
    "clipboardCopyKey": "ctrl+shift+c",
    "clipboardPasteKey": "ctrl+shift+v",
}

VM_DEFAULTS = {
    "memory": 1024, "cpus": 2, "color": "red",
    "network": {"nameservers": [], "interfaces": {}},
    "autoShutdown": {"enable": False, "after": 60},
    "autoStart": False, "tray": True, "dependsOn": [], "additionalDisks": [], "rootDisk": None,
    "kernel": None, "initramfs": None, "rootDiskReadonly": True, "sharedHome": True,
    "kernelParams": [], "gpu": True, "sound": True, "sharedDirectories": [], "pciDevices": [],
    "guestPrograms": [], "guestConfig": [], "vhostUser": [],
    "crosvm": {"logLevel": None, "extraArgs": [], "extraRunArgs": []},
    "rootOverlay": {"type": "qcow2", "size": "10G"},
    "waylandProxy": "wayland-proxy-virtwl", "vmm": "auto", "acceleration": "auto",
}

INTERFACE_DEFAULTS = {
    "type": "tap", "macAddress": None, "tap": {"name": None, "hostAddress": None, "bridge": None,
                                                "allowedHostPorts": []},
    "dhcp": False, "addresses": [], "routes": {}, "v6Addresses": [], "v6Routes": {},
}


def merged(defaults, values):
    out = copy.deepcopy(defaults)
    for k, v in values.items():
        out[k] = merged(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) \
            and out[k] else v
    return out


def with_defaults(document):
    """A document as the module writes it: every option, defaults filled in."""
    doc = merged(TOP_DEFAULTS, document)
    vms = []
    for vm in document.get("nixosVms", []):
        # A VM's frameWidth defaults to the top-level one, as `vmsilo config show` derives it.
        vm = merged(dict(VM_DEFAULTS, frameWidth=doc["frameWidth"]), vm)
        vm["network"]["interfaces"] = {name: merged(INTERFACE_DEFAULTS, i) for name, i
                                       in vm["network"]["interfaces"].items()}
        vms.append(vm)
    doc["nixosVms"] = vms
    return doc


def nix_image_vm(vm, image):
    """What the module makes of a VM whose guestPrograms are Nix packages: its NixOS image is
    the rootDisk; guestPrograms and guestConfig (Debian names and paths in the JSON) are empty."""
    return dict(vm, guestPrograms=[], guestConfig=[], rootDisk={"path": image["out"]})


# ---- parsing ----------------------------------------------------------------------------------

def test_every_nix_file_parses(nix_env):
    files = sorted(p for p in REPO.rglob("*.nix")
                   if not any(part.startswith(("build", ".git")) for part in
                              p.relative_to(REPO).parts))
    assert REPO / "flake.nix" in files and REPO / "nix" / "module.nix" in files
    for f in files:
        nix(nix_env, "--parse", str(f))


# ---- the original's Quick Start --------------------------------------------------------------

def quickstart_expected(images):
    """examples/quickstart.json is the Quick Start in the JSON reference's terms."""
    example = json.loads((REPO / "examples" / "quickstart.json").read_text())
    doc = with_defaults(example)
    doc["nixosVms"] = [nix_image_vm(vm, images[vm["name"]]) for vm in doc["nixosVms"]]
    return doc


def test_quickstart_config_json_is_the_reference_document(quickstart):
    assert quickstart["assertions"] == [] and quickstart["warnings"] == []
    assert sorted(quickstart["images"]) == ["banking", "personal", "shopping"]
    assert json.loads(quickstart["configJSON"]) == quickstart_expected(quickstart["images"])


def test_quickstart_passes_check_and_shows_the_original_defaults(quickstart, tmp_path):
    out = vmsilo_config(tmp_path, "check", quickstart["configJSON"])
    assert out.strip().endswith("OK (3 VMs)")
    shown = json.loads(vmsilo_config(tmp_path, "show", quickstart["configJSON"]))

    # The same as the JSON example of the Quick Start, once the Nix images are its root disks.
    example = json.loads((REPO / "examples" / "quickstart.json").read_text())
    example["nixosVms"] = [dict(vm, guestPrograms=[], rootDisk={
        "path": quickstart["images"][vm["name"]]["out"]}) for vm in example["nixosVms"]]
    assert shown == json.loads(vmsilo_config(tmp_path, "show", example))

    # The original design's defaults for everything the Quick Start leaves out.
    assert shown["enableBashIntegration"] is True
    assert shown["crosvm"] == {"logLevel": "info", "extraArgs": [], "extraRunArgs": []}
    b = shown["vmsilo-balloond"]
    assert (b["logLevel"], b["pollInterval"], b["criticalHostPercent"], b["guestAvailableBias"],
            b["extraArgs"]) == ("info", "2s", 5, "300m", [])
    assert shown["vmsilo-tray"] == {"logLevel": "info"}
    assert shown["isolatedPciDevices"] == []
    personal = shown["nixosVms"][2]
    assert personal["name"] == "personal" and personal["network"]["interfaces"] == {}
    for vm in shown["nixosVms"]:
        assert vm["color"] == "red" and vm["colorRgb"] == "#ff0000"
        assert (vm["autoStart"], vm["dependsOn"], vm["rootDiskReadonly"], vm["sharedHome"],
                vm["gpu"], vm["sound"]) == (False, [], True, True, True, True)
        assert vm["sharedHomePath"] == f"/shared/{vm['name']}"
        assert vm["rootOverlay"]["type"] == "qcow2" and vm["rootOverlay"]["size"] == "10G"
        assert vm["crosvm"]["logLevel"] is None and vm["waylandProxy"] == "wayland-proxy-virtwl"
        assert (vm["kernel"], vm["initramfs"]) == (None, None)
    assert shown["nixosVms"][1]["autoShutdown"] == {"enable": True, "after": 60}
    assert shown["nixosVms"][0]["network"]["interfaces"]["wan"]["macAddress"] == \
        "e2:9e:80:d2:03:83"


def test_quickstart_services_files_and_completion(quickstart):
    q = quickstart
    assert q["etc"] == ["vmsilo/config.json"]
    # The file is checked by the built `vmsilo config check` while the system is built.
    assert q["configFileName"] == "vmsilo-config.json"
    assert 'vmsilo config check "$jsonPath"' in q["configCheck"]

    pkg = q["package"]["name"]
    assert q["unitPackages"] == [pkg]
    d = q["services"]["vmsilod"]
    assert d["wantedBy"] == ["multi-user.target"]
    assert d["execStart"][0] == ""
    assert re.fullmatch(r"\S+-vmsilo-[0-9.]+/sbin/vmsilod --config /etc/vmsilo/config\.json "
                        r"--image-builder \S+-vmsilo-image-builder", d["execStart"][1])
    assert d["execStart"][1].endswith(q["imageBuilder"]["path"])
    assert d["reloadTriggers"] and d["reloadTriggers"][0].endswith("-vmsilo-config.json")
    assert d["path"] == ["qemu_kvm", "e2fsprogs", "xz", "zstd", "gzip"]
    assert d["readWritePaths"] == []
    bd = q["services"]["vmsilo-balloond"]
    assert bd["wantedBy"] == ["vmsilod.service"]
    assert bd["execStart"][1].endswith("/sbin/vmsilo-balloond --config /etc/vmsilo/config.json "
                                       "--runtime-dir /run/vmsilo")
    assert bd["restartTriggers"] == d["reloadTriggers"]

    # The default guest image from a NixOS kernel, its modules and a static busybox.
    text = q["imageBuilder"]["text"]
    assert re.search(r'/bin/vmsilo "\$@"', text)
    assert re.search(r"--kernel \S+-linux-6\.6\.30/bzImage", text)
    assert re.search(r"--modules-dir \S+-linux-6\.6\.30/lib/modules/6\.6\.30", text)
    assert re.search(r"--busybox \S+-busybox-static-\S+/bin/busybox", text)

    assert q["tmpfiles"] == ["d /shared 0755 david - -", "d /var/lib/vmsilo 0755 root root -",
                             "d /var/lib/vmsilo/home-template 0755 david - -"]
    assert q["systemPackages"] == ["vmsilo-commands"]
    assert re.fullmatch(r"source \S+-vmsilo-[0-9.]+/share/bash-completion/completions/vmsilo\n",
                        q["bashInit"])
    assert q["kernelModules"] == [] and q["udevRules"] == "" and q["activation"] == {}


# ---- every option ----------------------------------------------------------------------------

FULL_VALUES = {
    "enable": True,
    "user": "alice",
    "hostNetworking": {"nat": {"enable": True, "interface": "enp3s0"}},
    "enableBashIntegration": False,
    "crosvm": {"logLevel": "debug", "extraArgs": ["--syslog-tag", "vm"],
               "extraRunArgs": ["--no-smt"]},
    "vmsilo-balloond": {"logLevel": "warn", "pollInterval": "500ms", "criticalHostPercent": 10,
                        "guestAvailableBias": "512m", "extraArgs": ["--verbose"]},
    "vmsilo-tray": {"logLevel": "trace"},
    "isolatedPciDevices": ["01:00.0", "0000:02:00.0"],
    "waylandDisplay": "wayland-1",
    "vmm": "crosvm",
    "acceleration": "tcg",
    "frameWidth": 6,
    "clipboardCopyKey": "ctrl+Insert",
    "clipboardPasteKey": "shift+Insert",
    "nixosVms": [
        {
            "name": "work", "memory": 2048, "cpus": 3, "color": "#2ecc71", "frameWidth": 2,
            "network": {
                "nameservers": ["9.9.9.9", "2620:fe::fe"],
                "interfaces": {
                    "wan": {"type": "tap", "macAddress": "02:11:22:33:44:55",
                            "tap": {"name": "tap-work", "hostAddress": "10.5.0.254/24",
                                    "allowedHostPorts": ["tcp/22", "udp/5353"]},
                            "addresses": ["10.5.0.1/24"],
                            "routes": {"0.0.0.0/0": {"via": "10.5.0.254"}},
                            "v6Addresses": ["fd00:5::1/64"],
                            "v6Routes": {"::/0": {"via": "fd00:5::fe"}}},
                    "lan": {"tap": {"bridge": "br0"}, "dhcp": True},
                },
            },
            "autoShutdown": {"enable": True, "after": 300},
            "autoStart": True,
            "tray": False,
            "dependsOn": ["net"],
            "additionalDisks": [{"path": "/var/lib/disks/work.qcow2", "ro": False,
                                 "sparse": True, "block-size": 4096, "id": "data"}],
            "kernel": "/opt/vm/vmlinuz",
            "initramfs": "/opt/vm/initrd.img",
            "sharedHome": "/srv/homes/work",
            "kernelParams": ["quiet", "mitigations=auto"],
            "gpu": {"context-types": "cross-domain:virgl2", "width": 1920, "height": 1080},
            "sound": False,
            "sharedDirectories": [{"path": "/shared/docs", "id": "docs", "uidmap": "0 0 65535",
                                   "gidmap": "0 0 65535"}],
            "vhostUser": [{"type": "net", "socket": "/run/vhost/net.sock"}],
            "crosvm": {"logLevel": "error", "extraArgs": ["--log-level", "error"],
                       "extraRunArgs": ["--disable-sandbox"]},
            "rootOverlay": {"type": "tmpfs", "size": "4G"},
            "waylandProxy": "sommelier",
            "vmm": "qemu",
            "acceleration": "kvm",
        },
        {
            "name": "net", "memory": 512, "cpus": 1, "color": "rgb(52, 152, 219)",
            "sharedHome": False, "gpu": False, "sound": {"backend": "pulse", "capture": True},
            "pciDevices": [{"path": "01:00.0", "iommu": "on"}],
            "rootDisk": {"path": "/var/lib/disks/net.img", "ro": True},
            "rootDiskReadonly": False,
        },
        {"name": "notes"},
    ],
}


def test_every_option_config_json_is_the_reference_document(full):
    assert full["assertions"] == [] and full["warnings"] == []
    expected = with_defaults(FULL_VALUES)
    # work and notes have Nix guestPrograms/guestConfig: their images are the root disks;
    # net brings its own rootDisk and gets no image.
    assert sorted(full["images"]) == ["notes", "work"]
    vms = expected["nixosVms"]
    vms[0] = nix_image_vm(vms[0], full["images"]["work"])
    vms[2] = nix_image_vm(vms[2], full["images"]["notes"])
    assert json.loads(full["configJSON"]) == expected


def test_every_option_passes_check_and_show_keeps_it(full, tmp_path):
    assert vmsilo_config(tmp_path, "check", full["configJSON"]).strip().endswith("OK (3 VMs)")
    shown = json.loads(vmsilo_config(tmp_path, "show", full["configJSON"]))
    work, net, notes = shown["nixosVms"]
    assert shown["vmsilo-balloond"]["pollIntervalUsec"] == 500000
    assert shown["vmsilo-balloond"]["guestAvailableBiasBytes"] == 512 << 20
    assert work["colorRgb"] == "#2ecc71" and work["sharedHomePath"] == "/srv/homes/work"
    assert work["sharedDirectories"][0]["tag"] == "docs"
    assert work["network"]["interfaces"]["lan"]["tap"]["name"] == "work-0"
    assert work["rootOverlay"] == {"type": "tmpfs", "size": "4G", "sizeBytes": 4 << 30}
    assert net["pciDevices"][0]["sysfsPath"] == "/sys/bus/pci/devices/0000:01:00.0/"
    assert net["sharedHomePath"] is None and net["colorRgb"] == "#3498db"
    # notes sets nothing but guestConfig: the original's VM defaults.
    assert (notes["memory"], notes["cpus"], notes["autoShutdown"]) == \
        (1024, 2, {"enable": False, "after": 60})


def test_every_option_services_vfio_and_no_completion(full):
    f = full
    d = f["services"]["vmsilod"]
    # A VM on crosvm puts crosvm on vmsilod's PATH; shared directories and a custom home's
    # parent are writable despite ProtectSystem=strict.
    assert d["path"][-1] == "crosvm"
    assert d["readWritePaths"] == ["-/shared/docs", "-/srv/homes"]
    assert f["tmpfiles"][0] == "d /shared 0755 alice users -"
    assert f["bashInit"] == ""
    assert f["kernelModules"] == ["vfio_pci"]
    assert f["udevRules"].splitlines() == [
        f'ACTION=="add", SUBSYSTEM=="pci", KERNEL=="{a}", ATTR{{driver_override}}="vfio-pci"'
        for a in ("0000:01:00.0", "0000:02:00.0")]
    assert "for dev in 0000:01:00.0 0000:02:00.0; do" in f["activation"]["vmsilo-vfio"]


# ---- derivations -----------------------------------------------------------------------------

def test_guest_images_are_nixos_derivations_with_the_vms_programs(quickstart, full):
    for name, programs in (("banking", ["firefox", "konsole"]),
                           ("shopping", ["firefox", "konsole"]), ("personal", ["libreoffice"])):
        img = quickstart["images"][name]
        assert img["name"] == f"vmsilo-nixos-root-{name}.ext4"
        assert img["drvPath"].endswith(f"-vmsilo-nixos-root-{name}.ext4.drv")
        assert img["out"].endswith(f"-vmsilo-nixos-root-{name}.ext4")
        assert img["toplevel"] == f"nixos-system-{name}"
        g = img["guest"]
        assert g["systemPackages"] == programs and g["hostName"] == name
        assert g["agentWantedBy"] == ["multi-user.target"]
        assert g["agentUnit"] == ["vmsilo-agent-unit"] and g["userUid"] == 1000
        assert "XDG_RUNTIME_DIR=/run/user/1000\n" in g["sessionEnv"]
        assert g["kernelPackages"] == "linux-6.6.30"
    assert quickstart["images"]["personal"]["guest"]["nameservers"] == []
    # guestConfig modules reach the guest system: a single module and a list of them.
    assert full["images"]["work"]["guest"]["motd"] == "work VM"
    assert full["images"]["notes"]["guest"]["systemPackages"] == ["htop"]


def test_package_derivation(quickstart):
    version = re.search(r"version : '([^']+)'", (REPO / "meson.build").read_text()).group(1)
    assert quickstart["package"]["name"] == f"vmsilo-{version}"
    assert quickstart["package"]["drvPath"].endswith(f"-vmsilo-{version}.drv")


def test_flake_outputs_evaluate(nix_env):
    """flake.nix with nixpkgs replaced by lib, the fake package set and a stub nixosSystem."""
    out = json.loads(nix(nix_env, "--readonly-mode", "--eval", "--strict", "--json",
                         str(NIX_TESTS / "flake-outputs.nix"), "--arg", "nixpkgsLib",
                         str(nixpkgs_lib())))
    assert out["inputs"] == {"nixpkgs": {"url": "github:NixOS/nixpkgs/nixos-unstable"}}
    assert re.fullmatch(r"vmsilo-[0-9.]+", out["package"]["name"]) and out["defaultIsVmsilo"]
    # nixosModules.default runs the flake's own package.
    assert out["modulePackage"] == out["package"]["drvPath"]
    assert out["checks"] == {"package": out["package"]["name"],
                             "module": "vmsilo-nix-module-check",
                             "nixos-quickstart": "vmsilo-nixos-quickstart-eval"}
    assert out["checkQuickstart"].endswith("-nixos-system-host.drv")
    assert out["devShell"]["inputsFrom"] == [out["package"]["name"]]
    assert {"clang", "qemu_kvm", "python3", "shellcheck"} <= set(out["devShell"]["packages"])


# ---- assertions and warnings -----------------------------------------------------------------

def test_user_without_explicit_uid_is_refused(nix_env):
    for users in ('users.users.bob.group = "users";', ""):
        r = evaluate(nix_env, "{ ... }: { %s programs.vmsilo = { enable = true; user = \"bob\"; }; }"
                     % users)
        assert r["assertions"] == [
            "programs.vmsilo.user 'bob' must have an explicit uid (users.users.bob.uid = 1000;)."]
        assert "configJSON" not in r


def test_writable_root_needs_a_root_disk_of_ones_own(nix_env):
    r = evaluate(nix_env, """{ pkgs, ... }: { users.users.bob.uid = 1000;
        programs.vmsilo = { enable = true; user = "bob";
          nixosVms = [ { name = "a"; guestPrograms = [ pkgs.htop ]; rootDiskReadonly = false; } ]; }; }""")
    assert len(r["assertions"]) == 1 and "'a': rootDiskReadonly = false" in r["assertions"][0]


def test_root_disk_wins_over_guest_programs_with_a_warning(nix_env):
    r = evaluate(nix_env, """{ pkgs, ... }: { users.users.bob.uid = 1000;
        programs.vmsilo = { enable = true; user = "bob";
          nixosVms = [ { name = "a"; guestPrograms = [ pkgs.htop ]; rootDisk.path = "/d.img"; } ]; }; }""")
    assert r["assertions"] == [] and r["images"] == {}
    assert r["warnings"] == ["programs.vmsilo.nixosVms 'a': guestPrograms and guestConfig are "
                             "ignored because rootDisk is set."]
    assert json.loads(r["configJSON"])["nixosVms"][0]["rootDisk"] == {"path": "/d.img"}


def test_disabled_module_writes_nothing(nix_env):
    r = evaluate(nix_env, '{ ... }: { programs.vmsilo.user = "bob"; }')
    assert r == {"assertions": [], "warnings": []}


def test_readme_quick_start_is_the_tested_one():
    """The README's NixOS Quick Start is tests/nix/quickstart.nix (which the tests evaluate)
    apart from its `imports` line: the test harness imports the module itself."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("\n## NixOS\n"):]
    block = re.findall(r"```nix\n(.*?)```", section, re.S)[1]
    assert "imports = [ inputs.vmsilo.nixosModules.default ];" in block

    def code(text):
        """Lines without indentation, blank lines, the header comment and the imports line."""
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        while lines[0].startswith("#"):
            lines.pop(0)
        return [ln for ln in lines if not ln.startswith("imports = ")]

    quick = (NIX_TESTS / "quickstart.nix").read_text()
    assert code(block) == code(quick)


DERIVED = {"colorRgb", "textColor", "sharedHomePath", "sizeBytes", "pollIntervalUsec",
           "guestAvailableBiasBytes"}


def option_keys(doc, prefix=""):
    """Every option path of a document: the keys of its fixed objects (free-form VMM options and
    attrsets keyed by name, such as interfaces and routes, are walked with a placeholder)."""
    keys = set()
    for k, v in doc.items():
        if k in DERIVED:
            continue
        path = f"{prefix}.{k}" if prefix else k
        keys.add(path)
        if k in ("interfaces",):
            for item in v.values():
                keys |= option_keys(item, path + ".<name>")
        elif k == "nixosVms":
            for item in v:
                keys |= option_keys(item, path + "[]")
        elif isinstance(v, dict) and k not in ("routes", "v6Routes", "gpu", "sound", "rootDisk"):
            keys |= option_keys(v, path)
    return keys


def test_module_writes_every_option_the_validator_knows(full, tmp_path):
    """`vmsilo config show` prints every option the C validator knows (config-format.c): the
    module's document has exactly those, so a new JSON key without a Nix option fails here."""
    shown = json.loads(vmsilo_config(tmp_path, "show", full["configJSON"]))
    written = json.loads(full["configJSON"])
    assert option_keys(written) == option_keys(shown)
    assert "nixosVms[].network.interfaces.<name>.tap.bridge" in option_keys(written)
