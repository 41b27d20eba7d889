# SPDX-License-Identifier: LGPL-2.1-or-later
"""PCI passthrough against a fake sysfs (fake_sysfs.py; vmsilod --sys-root): isolatedPciDevices
bound to vfio-pci at start, a VM refused for a non-viable IOMMU group, a group another VM holds
or a missing device while another runs, /dev/vfio/<group> owned by the VM user only while its VMM lives, the VMM's
RLIMIT_MEMLOCK, and reload giving a device back to the host and taking it again.

The VMM is a stand-in (a script given as vmsilod's --qemu-system) started
through the real spawn path, contained like every VMM (docs/sandbox.md); it reports its uid and
limits on stdout (its VMM log) and sleeps. No real device is touched: docs/pci.md says what this
does and does not prove. test_sandbox.py checks what a contained passthrough VMM can open."""
import os
import pathlib
import resource
import signal
import subprocess
import time

import pytest

from daemon import Daemon, binary, ensure_test_user, public_dir, vm
from fake_sysfs import FakeSysfs

USB = "0000:01:00.0"     # xHCI controller, group 1, behind a root port in the same group ...
USB2 = "0000:01:00.1"    # ... with a second controller, given to another VM
PORT = "0000:00:1c.0"    # PCIe root port (a bridge): may stay with the host
NIC = "0000:02:00.0"     # network card, group 2 ...
SATA = "0000:02:00.1"    # ... with a SATA controller the host still drives
MISSING = "0000:05:00.0"  # listed in isolatedPciDevices, not in the machine
BOOT = "0000:03:00.0"    # group 3 alone: the device of the VM that boots a real guest
NO_IOMMU = "0000:06:00.0"  # no IOMMU group: vfio-pci will not bind it
MEMORY_MIB = 256

# The VMM vmsilod starts (--qemu-system). For pci-boot it runs the real QEMU with the plan
# minus the vfio-pci devices (no real device here), so q35 + virtio-iommu-pci boots the guest;
# for the other VMs it reports its uid and RLIMIT_MEMLOCK in its log and sleeps. It runs in the
# sandbox, which shows it no file but its own: the log is its only way out.
STAND_IN = """#!/usr/bin/python3
import os, sys
args = sys.argv[1:]
if "pci-boot" in args:
    kept = []
    while args:
        if args[0] == "-device" and args[1].startswith("vfio-pci,"):
            args = args[2:]
            continue
        kept.append(args.pop(0))
    os.execv("/usr/bin/qemu-system-x86_64", ["qemu-system-x86_64"] + kept)
limits = [l for l in open("/proc/self/limits") if l.startswith("Max locked memory")]
print("stand-in %d %s" % (os.getuid(), limits[0].strip()), flush=True)
os.execv("/bin/sleep", ["sleep", "300"])
"""


def can_raise_memlock(pid):
    """Whether the process has CAP_SYS_RESOURCE (bit 24), which raising a hard limit needs."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("CapEff:"):
            return bool(int(line.split()[1], 16) & (1 << 24))
    return False


def stand_in_report(d, name):
    """(uid, soft, hard RLIMIT_MEMLOCK) the stand-in VMM of `name` printed in its log (which
    each start truncates)."""
    log = d.runtime / f"{name}.log"

    def line():
        text = log.read_text() if log.exists() else ""
        return next((l for l in text.splitlines() if l.startswith("stand-in ")), None)
    words = wait_for(line, what=f"stand-in VMM report of {name}").split()
    # "stand-in UID Max locked memory SOFT HARD bytes"
    return int(words[1]), int(words[5]), int(words[6])


def is_contained(pid):
    """Whether the process runs in PID and mount namespaces other than ours (the sandbox's)."""
    return all(os.readlink(f"/proc/{pid}/ns/{ns}") != os.readlink(f"/proc/self/ns/{ns}")
               for ns in ("pid", "mnt", "net"))


def wait_for(predicate, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(what)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    user = ensure_test_user()
    tmp = tmp_path_factory.mktemp("pci")
    sysfs = FakeSysfs(tmp / "root", ["xhci_hcd", "pcieport", "e1000e", "ahci", "vfio-pci"])
    sysfs.add_device(PORT, 0x060400, 1, "pcieport")
    sysfs.add_device(USB, 0x0c0330, 1, "xhci_hcd")
    sysfs.add_device(USB2, 0x0c0330, 1, "xhci_hcd")
    sysfs.add_device(NIC, 0x020000, 2, "e1000e")
    sysfs.add_device(SATA, 0x010601, 2, "ahci")
    sysfs.add_device(BOOT, 0x0c0330, 3, "xhci_hcd")
    sysfs.add_device(NO_IOMMU, 0x020000, None, "e1000e")

    bin_dir = public_dir("vmsilo-pci-bin-")
    stand_in = bin_dir / "qemu-system-x86_64"
    stand_in.write_text(STAND_IN)
    stand_in.chmod(0o755)
    kernel = bin_dir / "vmlinuz"
    kernel.write_text("not a kernel: the stand-in VMM never reads it\n")
    kernel.chmod(0o644)

    common = {"memory": MEMORY_MIB, "kernel": str(kernel)}
    vms = [vm("pci-usb", pciDevices=[{"path": "01:00.0", "iommu": "on"}], **common),
           vm("pci-usb2", pciDevices=[{"path": USB2}], **common),
           vm("pci-net", pciDevices=[{"path": NIC}], **common),
           vm("pci-gone", pciDevices=[{"path": "05:00.0"}], **common),
           # The original's own example: iommu = "on" (QEMU: a virtio-iommu-pci).
           vm("pci-boot", pciDevices=[{"path": BOOT, "iommu": "on"}])]
    isolated = {"isolatedPciDevices": ["01:00.0", USB2, NIC, MISSING, BOOT, NO_IOMMU]}
    # pci-boot uses the default guest image, built at the daemon's start.
    d = Daemon(tmp, public_dir("vmsilo-pci-state-"), vms, config=isolated,
               extra_args=["--sys-root", str(sysfs.root), "--qemu-system", str(stand_in)])
    d.start(timeout=600)
    yield d, sysfs, user, vms
    try:
        assert d.stop() == 0, d.output()
    finally:
        sysfs.stop()


def test_isolated_devices_are_bound_at_start(setup):
    d, sysfs, _, _ = setup
    wait_for(lambda: all(sysfs.driver(a) == "vfio-pci" for a in (USB, USB2, NIC, BOOT)),
             what="vfio-pci binding")
    assert sysfs.override(USB) == "vfio-pci"
    # The device that never was bound to anything else only needed the probe.
    assert ("sys/bus/pci/drivers/xhci_hcd/unbind", USB) in sysfs.writes
    assert ("sys/bus/pci/drivers_probe", USB) in sysfs.writes
    # The host keeps what nobody isolated.
    assert sysfs.driver(SATA) == "ahci"
    assert sysfs.driver(PORT) == "pcieport"
    wait_for(lambda: f"Cannot isolate PCI device {MISSING}" in d.output(), what="error")
    # vfio-pci refused it: left unbound, and said so with the step that did not take.
    wait_for(lambda: f"Cannot isolate PCI device {NO_IOMMU}" in d.output(), what="error")
    assert (f"{NO_IOMMU}: after writing /sys/bus/pci/drivers_probe it is bound to no driver"
            in d.output())
    assert sysfs.driver(NO_IOMMU) is None


def test_missing_device_refuses_its_vm(setup):
    d, _, _, _ = setup
    d.control({"method": "start", "vm": "pci-gone", "wait": False})
    wait_for(lambda: d.status("pci-gone")["state"] == "failed", what="refusal")
    status = d.status("pci-gone")
    assert MISSING in status["reason"]


def test_vm_runs_with_its_group_and_limits(setup):
    d, sysfs, user, _ = setup
    node = sysfs.root / "dev/vfio/1"
    assert os.stat(node).st_uid == 0
    reply = d.control({"method": "start", "vm": "pci-usb", "wait": False})
    assert reply.get("ok"), reply
    uid, soft, hard = stand_in_report(d, "pci-usb")
    assert uid == user.pw_uid
    # A passthrough VMM is sandboxed like any other, and keeps the limit it was given.
    pid = d.status("pci-usb")["pid"]
    assert is_contained(pid)
    wanted = (MEMORY_MIB + 1024) << 20
    if can_raise_memlock(d.proc.pid):
        assert soft == hard == wanted
    else:
        # Root without CAP_SYS_RESOURCE (some containers): the soft limit goes up to the hard
        # one and the VMM's log says why the rest is missing.
        assert soft == hard == resource.getrlimit(resource.RLIMIT_MEMLOCK)[1]
        assert f"cannot raise RLIMIT_MEMLOCK to {wanted} bytes" in \
            (d.runtime / "pci-usb.log").read_text()
    assert os.stat(node).st_uid == user.pw_uid
    assert os.stat(sysfs.root / "dev/vfio/vfio").st_uid == user.pw_uid
    assert os.stat(sysfs.root / "dev/vfio/2").st_uid == 0

    # A VM whose group holds a host-bound SATA controller is refused; the other keeps running.
    d.control({"method": "start", "vm": "pci-net", "wait": False})
    wait_for(lambda: d.status("pci-net")["state"] == "failed", what="refusal")
    status = d.status("pci-net")
    assert "IOMMU group 2" in status["reason"] and SATA in status["reason"], status
    assert d.status("pci-usb")["state"] == "starting"
    assert os.stat(sysfs.root / "dev/vfio/2").st_uid == 0

    # Group 1 is viable, but it is pci-usb's: one group, one VMM.
    d.control({"method": "start", "vm": "pci-usb2", "wait": False})
    wait_for(lambda: d.status("pci-usb2")["state"] == "failed", what="refusal")
    status = d.status("pci-usb2")
    assert status["reason"] == "IOMMU group 1 is in use by VM 'pci-usb'", status
    assert os.stat(node).st_uid == user.pw_uid

    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: d.status("pci-usb")["state"] in ("failed", "stopped"), what="VMM exit")
    assert os.stat(node).st_uid == 0
    assert os.stat(sysfs.root / "dev/vfio/vfio").st_uid == 0


def test_reload_keeps_a_device_a_running_vmm_holds(setup):
    d, sysfs, _, vms = setup
    reply = d.control({"method": "start", "vm": "pci-usb2", "wait": False})
    assert reply.get("ok"), reply
    stand_in_report(d, "pci-usb2")
    pid = d.status("pci-usb2")["pid"]
    # The device leaves both isolatedPciDevices and the VM's configuration; its VMM still has it.
    changed = [dict(v, pciDevices=[]) if v["name"] == "pci-usb2" else v for v in vms]
    d.write_config(changed, {"isolatedPciDevices": ["01:00.0", NIC, BOOT]})
    r = d.reload()
    assert r.returncode == 0, r.stderr
    assert f"PCI device {USB2} left isolatedPciDevices but a running VM uses it" in d.output()
    assert sysfs.driver(USB2) == "vfio-pci"
    # Nothing to give back for devices vfio-pci never held.
    assert f"PCI device {MISSING} was given back" not in d.output()
    assert f"PCI device {NO_IOMMU} was given back" not in d.output()
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: d.status("pci-usb2")["state"] in ("failed", "stopped"), what="VMM exit")


def test_reload_releases_and_rebinds(setup):
    d, sysfs, _, vms = setup
    d.write_config(vms, {"isolatedPciDevices": [USB2, NIC, BOOT]})
    r = d.reload()
    assert r.returncode == 0, r.stderr
    wait_for(lambda: sysfs.driver(USB) == "xhci_hcd", what="release to the host driver")
    assert sysfs.override(USB) == ""
    assert sysfs.driver(NIC) == "vfio-pci"

    d.write_config(vms, {"isolatedPciDevices": ["01:00.0", USB2, NIC, BOOT]})
    r = d.reload()
    assert r.returncode == 0, r.stderr
    wait_for(lambda: sysfs.driver(USB) == "vfio-pci", what="rebinding")


def guest_pci_ids(d, name):
    r = d.run(name, "sh", "-c", "for d in /sys/bus/pci/devices/*; do "
              "echo $(cat $d/vendor):$(cat $d/device); done")
    assert r.returncode == 0, r.stderr
    return set(r.stdout.decode().split())


def test_iommu_on_boots_on_qemu_q35_without_balloon(setup):
    d, sysfs, user, _ = setup
    ids = guest_pci_ids(d, "pci-boot")
    assert d.status("pci-boot")["state"] == "running"
    assert os.stat(sysfs.root / "dev/vfio/3").st_uid == user.pw_uid
    # q35's host bridge; virtio-iommu (1af4:1057) as iommu = "on" asks; no virtio-balloon
    # (transitional 1af4:1002, modern 1af4:1045): VFIO pins every guest page.
    assert "0x8086:0x29c0" in ids, ids
    assert "0x1af4:0x1057" in ids, ids
    assert not {"0x1af4:0x1002", "0x1af4:0x1045"} & ids, ids
    r = d.cli("stop", "pci-boot")
    assert r.returncode == 0, r.stderr
    assert os.stat(sysfs.root / "dev/vfio/3").st_uid == 0


def test_pci_rules_claim_exactly_the_isolated_devices(tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"user": "alice", "isolatedPciDevices": ["01:00.0", "0000:02:00.1"]}')
    r = subprocess.run([binary("vmsilo"), "pci", "rules", str(config)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    rules = [line for line in r.stdout.splitlines() if line and not line.startswith("#")]
    assert rules == [f'ACTION=="add", SUBSYSTEM=="pci", KERNEL=="{a}", '
                     'ATTR{driver_override}="vfio-pci", RUN{builtin}+="kmod load vfio-pci"'
                     for a in ("0000:01:00.0", "0000:02:00.1")]

    config.write_text('{"user": "alice", "isolatedPciDevices": ["01:00.0", "1:0.0"]}')
    r = subprocess.run([binary("vmsilo"), "pci", "rules", str(config)], capture_output=True,
                       text=True)
    assert (r.returncode, r.stdout) == (1, ""), r
    assert "isolatedPciDevices[1]: '1:0.0' is not a PCI address" in r.stderr
