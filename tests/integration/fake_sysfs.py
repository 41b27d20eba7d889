# SPDX-License-Identifier: LGPL-2.1-or-later
"""A fake sysfs and /dev/vfio for PCI passthrough tests (vmsilod --sys-root), with a fake kernel
that reacts to the writes that bind and unbind drivers the way Linux does
(Documentation/ABI/testing/sysfs-bus-pci):

- `driver_override` is a plain file: the kernel only stores it.
- `drivers/<driver>/unbind` and `drivers_probe` are FIFOs. A thread per FIFO reads each write
  (the daemon opens, writes, closes) and applies it: unbind removes the device's `driver` link;
  drivers_probe binds a driverless device to its driver_override if that driver exists, or else
  to its native driver (what a host driver's probe would do). vfio-pci's probe fails for a
  device without an IOMMU group, as the kernel's does.

`dev/vfio/vfio` and `dev/vfio/<group>` are character device nodes (the numbers of /dev/null, so
opening one does nothing), as the sandbox binds only those into a VMM's root.

A real sysfs write takes effect before write() returns; here it takes effect a moment later,
which vmsilod's check of each step's effect (it waits for the `driver` link) absorbs."""
import os
import pathlib
import stat
import threading

NODE_DEVICE = os.makedev(1, 3)  # /dev/null's numbers: a harmless character device


def make_node(path):
    os.mknod(path, 0o600 | stat.S_IFCHR, NODE_DEVICE)
    path.chmod(0o600)


class FakeSysfs:
    def __init__(self, root, drivers):
        self.root = pathlib.Path(root)
        self.pci = self.root / "sys/bus/pci"
        self.native = {}
        self.writes = []
        self.stopping = False
        self.threads = []
        self.lock = threading.Lock()
        (self.pci / "devices").mkdir(parents=True)
        (self.root / "sys/kernel/iommu_groups").mkdir(parents=True)
        vfio = self.root / "dev/vfio"
        vfio.mkdir(parents=True)
        make_node(vfio / "vfio")
        for driver in drivers:
            d = self.pci / "drivers" / driver
            d.mkdir(parents=True)
            self._fifo(d / "unbind", lambda address, driver=driver: self._unbind(driver, address))
        self._fifo(self.pci / "drivers_probe", self._probe)

    def add_device(self, address, class_code, group, driver=None):
        """A PCI function in an IOMMU group (None: no IOMMU), bound to driver (also its native
        driver)."""
        dev = self.pci / "devices" / address
        dev.mkdir()
        (dev / "class").write_text(f"0x{class_code:06x}\n")
        (dev / "driver_override").write_text("(null)\n")
        self.native[address] = driver
        if driver:
            (dev / "driver").symlink_to(f"../../drivers/{driver}")
        if group is None:
            return
        members = self.root / f"sys/kernel/iommu_groups/{group}/devices"
        if not members.exists():
            members.mkdir(parents=True)
            make_node(self.root / f"dev/vfio/{group}")
        (members / address).symlink_to(f"../../../../bus/pci/devices/{address}")
        (dev / "iommu_group").symlink_to(f"../../../../kernel/iommu_groups/{group}")

    def driver(self, address):
        link = self.pci / "devices" / address / "driver"
        return os.path.basename(os.readlink(link)) if link.is_symlink() else None

    def override(self, address):
        return (self.pci / "devices" / address / "driver_override").read_text().split("\n")[0]

    def _fifo(self, path, handler):
        os.mkfifo(path, 0o200)
        t = threading.Thread(target=self._serve, args=(path, handler), daemon=True)
        t.start()
        self.threads.append((path, t))

    def _serve(self, path, handler):
        while True:
            with open(path, "rb") as f:
                data = f.read()
            if self.stopping:
                return
            with self.lock:
                self.writes.append((str(path.relative_to(self.root)), data.decode()))
                handler(data.decode().strip())

    def _unbind(self, driver, address):
        if self.driver(address) == driver:
            (self.pci / "devices" / address / "driver").unlink()

    def _probe(self, address):
        if self.driver(address):
            return
        override = self.override(address)
        if override in ("", "(null)"):
            chosen = self.native.get(address)
        else:
            chosen = override if (self.pci / "drivers" / override).is_dir() else None
        if chosen == "vfio-pci" and not (self.pci / "devices" / address / "iommu_group").exists():
            chosen = None
        if chosen:
            (self.pci / "devices" / address / "driver").symlink_to(f"../../drivers/{chosen}")

    def stop(self):
        self.stopping = True
        for path, t in self.threads:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
            t.join(5)
