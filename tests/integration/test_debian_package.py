# SPDX-License-Identifier: LGPL-2.1-or-later
"""debian/ builds: `dpkg-buildpackage -us -uc -b` on a copy of the source tree (in a temp dir,
so that the repository stays clean) gives a vmsilo .deb whose metadata is sane and whose files
are what `meson install` installs, laid out for Debian (/usr, /etc, /var/lib) with the right
modes; its programs run from the extracted tree and report the Debian paths. No VM.

The build takes a minute or two; it does not use $VMSILO_BUILD_DIR, so the sanitised pass of
scripts/test skips it rather than build the same package twice."""
import json
import os
import pathlib
import shutil
import stat
import subprocess

import pytest

from daemon import build_dir

TOOLS = ["dpkg-buildpackage", "dpkg-deb", "dh", "fakeroot"]
EXECUTABLES = ["usr/bin/vmsilo", "usr/sbin/vmsilod", "usr/sbin/vmsilo-balloond",
               "usr/libexec/vmsilo/vmsilo-agent", "usr/libexec/vmsilo/vmsilo-image",
               "usr/libexec/vmsilo/vmsilo-start-debug",
               "usr/libexec/vmsilo/vmsilo-wayland",
               "usr/libexec/vmsilo/vmsilo-tray", "usr/libexec/vmsilo/vmsilo-clipboard",
               "usr/libexec/vmsilo/vmsilo-sound",
               "usr/share/vmsilo/init"]
DATA = ["usr/lib/systemd/system/vmsilod.service",
        "usr/lib/systemd/system/vmsilo-balloond.service",
        "usr/share/bash-completion/completions/vmsilo",
        "etc/profile.d/vmsilo-xdg.sh",
        "usr/lib/environment.d/60-vmsilo.conf",
        "usr/share/vmsilo/vmsilo-agent.service", "usr/share/vmsilo/init.d/00-user.sh",
        "usr/share/vmsilo/init.d/10-log.sh",
        "usr/share/man/man1/vmsilo.1.gz", "usr/share/man/man8/vmsilod.8.gz",
        "usr/share/man/man8/vmsilo-balloond.8.gz", "usr/share/man/man5/vmsilo.json.5.gz",
        "usr/share/doc/vmsilo/README.md", "usr/share/doc/vmsilo/docs/balloond.md",
        "usr/share/doc/vmsilo/examples/quickstart.json", "usr/share/doc/vmsilo/copyright"]
ALIASES = ["vm-run", "vm-start", "vm-stop", "vm-shell", "vm-start-debug"]


def build_options():
    info = build_dir() / "meson-info"
    options = json.loads((info / "intro-buildoptions.json").read_text())
    source = json.loads((info / "meson-info.json").read_text())["directories"]["source"]
    return {o["name"]: o["value"] for o in options}, pathlib.Path(source)


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        pytest.skip(f"{missing} missing (scripts/install-deps installs them)")
    options, source = build_options()
    if options.get("b_sanitize", "none") != "none":
        pytest.skip("built once, in the plain pass: the package does not use the build dir")
    top = tmp_path_factory.mktemp("packaging-deb")
    tree = top / "vmsilo"
    # The source without build directories or VCS data: what a source package would hold.
    shutil.copytree(source, tree, symlinks=True,
                    ignore=lambda d, names: [n for n in names if pathlib.Path(d) == source
                                             and (n.startswith("build") or n.startswith("."))])
    env = dict(os.environ, DEB_BUILD_OPTIONS="nocheck parallel=2")
    r = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=tree, env=env,
                       capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    debs = [p for p in top.glob("vmsilo_*.deb")]
    assert len(debs) == 1, list(top.iterdir())
    root = top / "root"
    subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(root)], check=True)
    return debs[0], root


def test_control_fields(package):
    deb, _ = package
    info = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True,
                          check=True).stdout
    fields = dict(line.split(": ", 1) for line in info.splitlines() if ": " in line
                  and not line.startswith(" "))
    assert fields["Package"] == "vmsilo"
    assert fields["Architecture"] == subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True).stdout.strip()
    # dh_shlibdeps found the libraries the programs link.
    for lib in ["libsystemd0", "libjansson4", "libnftables1"]:
        assert lib in fields["Depends"], fields["Depends"]
    assert "qemu-utils" in fields["Depends"]
    r = subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True, check=True)
    assert "conffiles" in r.stdout


def test_contents_and_modes(package):
    deb, root = package
    listing = subprocess.run(["dpkg", "-c", str(deb)], capture_output=True, text=True,
                             check=True).stdout
    listed = {line.split()[5].removeprefix("./") for line in listing.splitlines()}
    for path in EXECUTABLES + DATA:
        assert path in listed, path
        mode = (root / path).lstat().st_mode
        assert stat.S_ISREG(mode) and not mode & 0o022, (path, oct(mode))
        assert bool(mode & 0o111) == (path in EXECUTABLES), (path, oct(mode))
    for alias in ALIASES:
        assert os.readlink(root / "usr/bin" / alias) == "vmsilo"
        assert (root / "usr/share/man/man1" / f"{alias}.1.gz").resolve().name == "vmsilo.1.gz"
        assert (root / "usr/share/bash-completion/completions" / alias).resolve().exists()
    # Tests, fuzz replayers and benchmarks stay out of the package.
    assert not [p for p in listed if "test" in p.rsplit("/", 1)[-1] or "fuzz" in p], listed


def test_units_name_the_installed_programs(package):
    _, root = package
    unit = (root / "usr/lib/systemd/system/vmsilod.service").read_text()
    assert "ExecStart=/usr/sbin/vmsilod --config /etc/vmsilo/config.json\n" in unit
    assert "ExecReload=/usr/bin/vmsilo reload --runtime-dir /run/vmsilo\n" in unit
    assert "ReadWritePaths=/run/vmsilo /var/lib/vmsilo -/shared\n" in unit
    assert "Documentation=file:///usr/share/doc/vmsilo/README.md\n" in unit
    balloond = (root / "usr/lib/systemd/system/vmsilo-balloond.service").read_text()
    doc = "file:///usr/share/doc/vmsilo/docs/balloond.md"
    assert doc in balloond and (root / doc.removeprefix("file:///")).is_file()


def test_programs_report_the_debian_layout(package):
    _, root = package
    r = subprocess.run([str(root / "usr/sbin/vmsilod"), "--help"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    for default in ["/etc/vmsilo/config.json", "/run/vmsilo", "/var/lib/vmsilo",
                    "(default $VMSILO_IMAGE_BUILDER or /usr/libexec/vmsilo/vmsilo-image)"]:
        assert default in r.stdout, (default, r.stdout)
    r = subprocess.run([str(root / "usr/bin/vmsilo"), "--version"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0 and "0.1.0" in r.stdout, (r.stdout, r.stderr)


def test_apt_can_install_it_with_its_dependencies(package):
    # The install a user makes (README: apt install ../vmsilo_*.deb), simulated: every Depends
    # resolves from the host's archive and what is installed. Nothing changes on the host.
    deb, _ = package
    r = subprocess.run(["apt-get", "install", "--simulate", "--no-install-recommends",
                        str(deb)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "Inst vmsilo " in r.stdout, r.stdout[-3000:]


def test_completion_falls_back_to_the_debian_configuration(package):
    _, root = package
    completion = (root / "usr/share/bash-completion/completions/vmsilo").read_text()
    assert "config=${1:-/etc/vmsilo/config.json}" in completion
    assert "@configpath@" not in completion
