# SPDX-License-Identifier: LGPL-2.1-or-later
"""VM networking end to end (docs/networking.md): real QEMU TCG guests behind TAPs that a real
vmsilod creates inside a network namespace of the test's own; a second namespace plays "the
internet" behind hostNetworking.nat.interface. No traffic leaves these namespaces."""
import json
import os
import re
import signal
import subprocess
import time

import pytest

from daemon import Daemon, ensure_test_user, public_dir, vm

PREFIX = f"vmsilo-t{os.getpid() % 100000}"
HOST_NS = f"{PREFIX}-host"
INET_NS = f"{PREFIX}-inet"
UPLINK = "uplink0"
HOST_UPLINK_ADDR = "192.0.2.2"
SERVER_ADDR = "192.0.2.1"
HOST_UPLINK_ADDR6 = "fd99::2"
SERVER_ADDR6 = "fd99::1"
SERVER_PORT = 8080
OPEN_PORT = 7070    # alpha's tap.allowedHostPorts
CLOSED_PORT = 7071  # a host service no guest is allowed
BRIDGE = "vmbr0"

VMS = [
    vm("alpha", network={
        "nameservers": ["192.0.2.53", "fd50::53"],
        "interfaces": {
            "wan": {
                "tap": {"name": "tap-alpha", "hostAddress": "10.50.1.254/24",
                        "allowedHostPorts": [f"tcp/{OPEN_PORT}"]},
                "addresses": ["10.50.1.1/24"],
                "routes": {"0.0.0.0/0": {"via": "10.50.1.254"}},
                "v6Addresses": ["fd50:1::1/64"],
                "v6Routes": {"fd50:99::/64": {"via": "fd50:1::fe"},
                             "fd99::/64": {"via": "fd50:1::fe"}},
            },
            "lan": {"tap": {"bridge": BRIDGE}, "addresses": ["10.50.3.1/24"]},
        },
    }),
    vm("beta", network={"interfaces": {
        "wan": {"tap": {"name": "tap-beta", "hostAddress": "10.50.2.254/24"}, "dhcp": True},
        # Neither hostAddress nor bridge: reaches nothing.
        "iso": {"tap": {"name": "tap-iso"}, "addresses": ["10.50.9.1/24"],
                "v6Addresses": ["fd50:9::1/64"]},
    }}),
    vm("gamma", network={"interfaces": {
        "lan": {"tap": {"bridge": BRIDGE}, "addresses": ["10.50.3.2/24"]},
    }}),
]
NAT = {"hostNetworking": {"nat": {"enable": True, "interface": UPLINK}}}

# "The internet": tells each TCP client the address it sees, then closes.
SERVER = """
import socket, sys
s = socket.create_server((sys.argv[1], {port}), family=socket.AF_INET6 if ":" in sys.argv[1]
                         else socket.AF_INET)
while True:
    c, peer = s.accept()
    c.sendall(peer[0].encode())
    c.close()
""".format(port=SERVER_PORT)

# A host service: greets each TCP client, then closes. argv: address (may carry %scope), port.
LISTENER = """
import socket, sys
family, _, _, _, address = socket.getaddrinfo(sys.argv[1], int(sys.argv[2]),
                                             type=socket.SOCK_STREAM)[0]
s = socket.socket(family, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(address)
s.listen()
print("ready", flush=True)
while True:
    c, peer = s.accept()
    c.sendall(b"hello")
    c.close()
"""

UDHCPD_CONF = """start 10.50.2.100
end 10.50.2.110
interface tap-beta
lease_file {dir}/udhcpd.leases
pidfile {dir}/udhcpd.pid
opt router 10.50.2.254
opt subnet 255.255.255.0
"""


def sh(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, check=check)


def in_ns(ns, *args, check=True):
    return sh("ip", "netns", "exec", ns, *args, check=check)


def netns_create(name):
    sh("ip", "netns", "del", name, check=False)
    sh("ip", "netns", "add", name)
    sh("ip", "-n", name, "link", "set", "lo", "up")


def nft_tables(ns):
    return [line for line in in_ns(ns, "nft", "list", "tables").stdout.splitlines() if line]


def link_names(ns):
    out = sh("ip", "-n", ns, "-o", "link", "show").stdout
    return [re.match(r"\d+: ([^:@]+)", line).group(1) for line in out.splitlines()]


def guest(d, name, *command, user="root", timeout=120):
    return d.cli("run", "-T", "-u", user, name, *command, timeout=timeout)


def pings(d, name, address, v6=False, source=None):
    tool = "ping6" if v6 else "ping"
    options = ("-I", source) if source else ()
    return guest(d, name, tool, "-c", "1", "-W", "3", *options, address).returncode == 0


@pytest.fixture(scope="module")
def namespaces():
    netns_create(HOST_NS)
    netns_create(INET_NS)
    sh("ip", "link", "add", "vmsilo-tv0", "netns", HOST_NS, "type", "veth", "peer", "name",
       "vmsilo-tv1", "netns", INET_NS)
    sh("ip", "-n", HOST_NS, "link", "set", "vmsilo-tv0", "name", UPLINK)
    sh("ip", "-n", HOST_NS, "addr", "add", HOST_UPLINK_ADDR + "/24", "dev", UPLINK)
    sh("ip", "-n", HOST_NS, "addr", "add", HOST_UPLINK_ADDR6 + "/64", "dev", UPLINK, "nodad")
    sh("ip", "-n", HOST_NS, "link", "set", UPLINK, "up")
    sh("ip", "-n", INET_NS, "link", "set", "vmsilo-tv1", "name", "eth0")
    sh("ip", "-n", INET_NS, "addr", "add", SERVER_ADDR + "/24", "dev", "eth0")
    sh("ip", "-n", INET_NS, "addr", "add", SERVER_ADDR6 + "/64", "dev", "eth0", "nodad")
    sh("ip", "-n", INET_NS, "link", "set", "eth0", "up")
    servers = [subprocess.Popen(["ip", "netns", "exec", INET_NS, "/usr/bin/python3", "-c",
                                 SERVER, address]) for address in (SERVER_ADDR, SERVER_ADDR6)]
    yield
    for server in servers:
        server.kill()
        server.wait()
    sh("ip", "netns", "del", HOST_NS, check=False)
    sh("ip", "netns", "del", INET_NS, check=False)


@pytest.fixture(scope="module")
def state_dir():
    ensure_test_user()
    return public_dir("vmsilo-state-")


@pytest.fixture(scope="module")
def daemon(tmp_path_factory, state_dir, namespaces):
    tmp = tmp_path_factory.mktemp("net")
    d = Daemon(tmp, state_dir, VMS, netns=HOST_NS, config=NAT).start()
    work = public_dir("vmsilo-udhcpd-")
    (work / "udhcpd.conf").write_text(UDHCPD_CONF.format(dir=work))
    (work / "udhcpd.leases").write_bytes(b"")
    udhcpd = subprocess.Popen(["ip", "netns", "exec", HOST_NS, "busybox", "udhcpd", "-f",
                               str(work / "udhcpd.conf")], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    # Boot all three guests at once: TCG boots dominate this file's time.
    for name in ("alpha", "beta", "gamma"):
        reply = d.control({"method": "start", "vm": name, "wait": False})
        assert reply["ok"], reply
    for name in ("alpha", "beta", "gamma"):
        d.wait_state(name, "running", timeout=180)
    yield d
    udhcpd.kill()
    udhcpd.wait()
    if d.proc.poll() is None:
        assert d.stop() == 0, d.output()


def beta_address(d, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = guest(d, "beta", "ip", "-4", "-o", "addr", "show", "dev", "wan").stdout.decode()
        m = re.search(r"inet (10\.50\.2\.1\d\d)/24", out)
        if m:
            return m.group(1)
        time.sleep(1)
    raise TimeoutError("beta got no DHCP lease: " + out)


def test_guest_pings_its_tap_gateway(daemon):
    assert pings(daemon, "alpha", "10.50.1.254"), daemon.output()


def test_guest_interfaces_have_configured_names_and_addresses(daemon):
    out = guest(daemon, "alpha", "ip", "-o", "addr", "show").stdout.decode()
    assert re.search(r"\bwan\b.*inet 10\.50\.1\.1/24", out), out
    assert re.search(r"\blan\b.*inet 10\.50\.3\.1/24", out), out


def test_dhcp_lease_from_test_server(daemon):
    assert beta_address(daemon).startswith("10.50.2.1")
    routes = guest(daemon, "beta", "ip", "-4", "route", "show").stdout.decode()
    assert "default via 10.50.2.254 dev wan" in routes, routes


def test_two_vms_on_one_bridge_reach_each_other(daemon):
    assert pings(daemon, "alpha", "10.50.3.2")
    assert pings(daemon, "gamma", "10.50.3.1")


def test_nat_reaches_internet_server_as_the_host(daemon):
    r = daemon.cli("run", "-T", "-u", "root", "alpha", "nc", "-w", "10", SERVER_ADDR,
                   str(SERVER_PORT), input=b"")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == HOST_UPLINK_ADDR
    assert in_ns(HOST_NS, "cat", "/proc/sys/net/ipv4/ip_forward").stdout.strip() == "1"


def test_nat_masquerades_ipv6_too(daemon):
    # The guest's IPv6 gateway: tap.hostAddress is IPv4 here.
    sh("ip", "-n", HOST_NS, "addr", "replace", "fd50:1::fe/64", "dev", "tap-alpha", "nodad")
    r = daemon.cli("run", "-T", "-u", "root", "alpha", "nc", "-w", "10", SERVER_ADDR6,
                   str(SERVER_PORT), input=b"")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == HOST_UPLINK_ADDR6
    assert in_ns(HOST_NS, "cat", "/proc/sys/net/ipv6/conf/all/forwarding").stdout.strip() == "1"
    # Forwarding would stop the uplink from taking router advertisements; 2 keeps them.
    assert in_ns(HOST_NS, "cat", f"/proc/sys/net/ipv6/conf/{UPLINK}/accept_ra").stdout.strip() \
        == "2"


def test_vms_on_separate_taps_cannot_reach_each_other(daemon):
    beta = beta_address(daemon)
    # Forwarding is on (NAT) and both have routes: only our forward chain stops this.
    assert pings(daemon, "alpha", SERVER_ADDR)
    assert not pings(daemon, "alpha", beta)
    assert not pings(daemon, "beta", "10.50.1.1")


def test_host_answers_guests_only_on_their_gateway(daemon):
    assert pings(daemon, "beta", "10.50.2.254")
    assert not pings(daemon, "beta", "10.50.1.254")
    assert not pings(daemon, "beta", HOST_UPLINK_ADDR)
    assert not pings(daemon, "alpha", "10.50.2.254")


def test_ipv6_static_address_and_route(daemon):
    sh("ip", "-n", HOST_NS, "addr", "replace", "fd50:1::fe/64", "dev", "tap-alpha", "nodad")
    out = guest(daemon, "alpha", "ip", "-6", "addr", "show", "dev", "wan").stdout.decode()
    assert "fd50:1::1/64" in out, out
    routes = guest(daemon, "alpha", "ip", "-6", "route", "show").stdout.decode()
    assert re.search(r"fd50:99::/64 via fd50:1::fe dev wan", routes), routes
    assert pings(daemon, "alpha", "fd50:1::fe", v6=True)


def test_resolv_conf_lists_nameservers(daemon):
    r = guest(daemon, "alpha", "cat", "/etc/resolv.conf", user="user")
    assert r.stdout == b"nameserver 192.0.2.53\nnameserver fd50::53\n"


def host_link_local(tap, timeout=30):
    """The host's own IPv6 link-local address on a TAP, once duplicate address detection is
    done (it starts when the VMM attaches)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = sh("ip", "-n", HOST_NS, "-6", "-o", "addr", "show", "dev", tap, "scope",
                 "link").stdout
        m = re.search(r"inet6 (fe80::[0-9a-f:]+)/64 scope link\s*(tentative)?", out)
        if m and not m.group(2):
            return m.group(1)
        time.sleep(0.5)
    raise TimeoutError(f"no link-local address on {tap}: {out}")


@pytest.fixture(scope="module")
def host_services(daemon):
    """TCP listeners on the host: alpha's gateway on the allowed and a closed port, and the
    host's link-local addresses on tap-alpha and the isolated tap-iso."""
    services = {
        "open": ("10.50.1.254", OPEN_PORT),
        "closed": ("10.50.1.254", CLOSED_PORT),
        "alpha-ll": (host_link_local("tap-alpha"), CLOSED_PORT),
        "iso-ll": (host_link_local("tap-iso"), CLOSED_PORT),
    }
    scopes = {"alpha-ll": "tap-alpha", "iso-ll": "tap-iso"}
    procs = [subprocess.Popen(["ip", "netns", "exec", HOST_NS, "/usr/bin/python3", "-c", LISTENER,
                               address + (f"%{scopes[name]}" if name in scopes else ""),
                               str(port)], stdout=subprocess.PIPE, text=True)
             for name, (address, port) in services.items()]
    for proc in procs:
        assert proc.stdout.readline() == "ready\n"
    yield services
    for proc in procs:
        proc.kill()
        proc.wait()


def connects(d, name, address, port, ifname=None):
    """Whether the guest completes a TCP handshake with address:port (a link-local address
    needs the guest's interface) and reads the greeting."""
    target = f"{address}%{ifname}" if ifname else address
    r = guest(d, name, "nc", "-w", "5", target, str(port))
    return r.returncode == 0 and r.stdout == b"hello"


def far_side_count(source):
    """Packets from `source` that reached "the internet" since the counter was made."""
    family = "ip6" if ":" in source else "ip"
    table = "nf_spoof_" + re.sub(r"[^0-9a-f]", "_", source)
    out = in_ns(INET_NS, "nft", "list", "table", "inet", table, check=False).stdout
    if not out:
        in_ns(INET_NS, "nft", f"table inet {table} {{ chain c {{ type filter hook prerouting "
              f"priority raw; {family} saddr {source} counter; }}; }}")
        return 0
    return int(re.search(r"counter packets (\d+)", out).group(1))


def add_guest_address(d, name, ifname, cidr, timeout=30):
    """Gives the guest an address its configuration does not have, usable at once (IPv6:
    once duplicate address detection is done)."""
    family = "-6" if ":" in cidr else "-4"
    r = guest(d, name, "ip", family, "addr", "add", cidr, "dev", ifname)
    assert r.returncode == 0, r.stderr
    deadline = time.monotonic() + timeout
    while b"tentative" in guest(d, name, "ip", family, "addr", "show", "dev", ifname).stdout:
        assert time.monotonic() < deadline, f"{cidr} stays tentative"
        time.sleep(0.5)


def del_guest_addresses(d, name, ifname, *cidrs):
    for cidr in cidrs:
        guest(d, name, "ip", "addr", "del", cidr, "dev", ifname)


def test_issue_12_spoofed_ipv4_sources_do_not_leave_the_host(daemon):
    outside, inside = "198.51.100.7", "10.50.1.77"
    assert far_side_count(outside) == 0
    for address in (outside + "/32", inside + "/24"):
        add_guest_address(daemon, "alpha", "wan", address)
    try:
        # A source outside every VM network would leave un-NATed; one in the guest's own
        # network that is not its address would be masqueraded: neither gets out.
        assert not pings(daemon, "alpha", SERVER_ADDR, source=outside)
        assert not pings(daemon, "alpha", SERVER_ADDR, source=inside)
        assert far_side_count(outside) == 0
    finally:
        del_guest_addresses(daemon, "alpha", "wan", outside + "/32", inside + "/24")
    # With only its own address again, the guest gets through.
    assert pings(daemon, "alpha", SERVER_ADDR)


def test_issue_12_spoofed_ipv6_sources_do_not_leave_the_host(daemon):
    sh("ip", "-n", HOST_NS, "addr", "replace", "fd50:1::fe/64", "dev", "tap-alpha", "nodad")
    outside, inside = "2001:db8::7", "fd50:1::77"
    assert far_side_count(outside) == 0
    for address in (outside + "/128", inside + "/64"):
        add_guest_address(daemon, "alpha", "wan", address)
    try:
        assert not pings(daemon, "alpha", SERVER_ADDR6, v6=True, source=outside)
        assert not pings(daemon, "alpha", SERVER_ADDR6, v6=True, source=inside)
        assert far_side_count(outside) == 0
    finally:
        del_guest_addresses(daemon, "alpha", "wan", outside + "/128", inside + "/64")
    assert pings(daemon, "alpha", SERVER_ADDR6, v6=True)


def with_mac(d, name, ifname, mac):
    """Sets the guest NIC's MAC; returns the one it had."""
    out = guest(d, name, "cat", f"/sys/class/net/{ifname}/address").stdout.decode().strip()
    assert guest(d, name, "ip", "link", "set", "dev", ifname, "address", mac).returncode == 0
    return out


def test_issue_12_spoofed_mac_is_dropped(daemon):
    own = with_mac(daemon, "alpha", "wan", "02:00:00:00:00:77")
    try:
        assert not pings(daemon, "alpha", "10.50.1.254")
    finally:
        with_mac(daemon, "alpha", "wan", own)
        sh("ip", "-n", HOST_NS, "neigh", "flush", "dev", "tap-alpha")
    assert pings(daemon, "alpha", "10.50.1.254")


def test_issue_12_bridged_guest_cannot_spoof_its_neighbours(daemon):
    add_guest_address(daemon, "gamma", "lan", "10.50.3.9/24")
    try:
        assert not pings(daemon, "gamma", "10.50.3.1", source="10.50.3.9")
    finally:
        del_guest_addresses(daemon, "gamma", "lan", "10.50.3.9/24")
    own = with_mac(daemon, "gamma", "lan", "02:00:00:00:00:78")
    try:
        assert not pings(daemon, "gamma", "10.50.3.1")
    finally:
        with_mac(daemon, "gamma", "lan", own)
        guest(daemon, "alpha", "ip", "neigh", "flush", "dev", "lan")
    assert pings(daemon, "gamma", "10.50.3.1")


def test_issue_12_link_local_host_services_are_unreachable(daemon, host_services):
    address, port = host_services["alpha-ll"]
    # Neighbour discovery and ping work over link-local (the guest's own EUI-64 address is
    # its pinned source); a TCP handshake with the host does not.
    assert pings(daemon, "alpha", f"{address}%wan", v6=True)
    assert not connects(daemon, "alpha", address, port, ifname="wan")


def test_issue_12_only_allowed_host_ports_are_reachable(daemon, host_services):
    assert connects(daemon, "alpha", *host_services["open"])
    assert not connects(daemon, "alpha", *host_services["closed"])


def test_issue_12_isolated_tap_reaches_nothing(daemon, host_services):
    address, port = host_services["iso-ll"]
    assert not pings(daemon, "beta", f"{address}%iso", v6=True)
    assert not connects(daemon, "beta", address, port, ifname="iso")


def test_issue_12_taps_filter_reverse_paths_strictly(daemon):
    for tap in ("tap-alpha", "tap-beta", "tap-iso", "gamma-0", "alpha-0"):
        path = f"/proc/sys/net/ipv4/conf/{tap}/rp_filter"
        assert in_ns(HOST_NS, "cat", path).stdout.strip() == "1", tap


def test_status_shows_interfaces_and_addresses(daemon):
    r = daemon.cli("status", "--json", "alpha", check=True)
    ifaces = {i["name"]: i for i in json.loads(r.stdout)[0]["interfaces"]}
    assert ifaces["wan"]["tap"] == "tap-alpha"
    assert ifaces["wan"]["addresses"] == ["10.50.1.1/24", "fd50:1::1/64"]
    assert daemon.status("gamma")["interfaces"][0]["tap"] == "gamma-0"


def nft_ruleset(ns):
    return in_ns(ns, "nft", "list", "table", "inet", "vmsilo").stdout


def test_reload_updates_the_table_and_taps(daemon):
    before = nft_ruleset(HOST_NS)
    assert "masquerade" in before and "gamma-0" in link_names(HOST_NS), before
    # NAT off and gamma gone: its TAP is deleted, the table has no NAT chain any more.
    daemon.write_config([v for v in VMS if v["name"] != "gamma"])
    r = daemon.reload()
    assert r.returncode == 0, (r.stderr, daemon.output()[-2000:])
    after = nft_ruleset(HOST_NS)
    assert "masquerade" not in after and "postrouting" not in after, after
    assert "gamma-0" not in link_names(HOST_NS)
    assert nft_tables(HOST_NS).count("table inet vmsilo") == 1
    assert not pings(daemon, "alpha", SERVER_ADDR)
    # Back as it was: NAT again, gamma's TAP again (gamma itself stopped), traffic flows.
    daemon.write_config(VMS, NAT)
    r = daemon.reload()
    assert r.returncode == 0, (r.stderr, daemon.output()[-2000:])
    assert nft_ruleset(HOST_NS) == before
    assert "gamma-0" in link_names(HOST_NS)
    assert daemon.status("gamma")["state"] == "stopped"
    assert pings(daemon, "alpha", SERVER_ADDR)


def count_ours(ns):
    links = link_names(ns)
    tables = nft_tables(ns)
    return ({name: links.count(name) for name in ("tap-alpha", "tap-beta", "gamma-0", "alpha-0",
                                                  BRIDGE)},
            tables.count("table inet vmsilo"))


def start_again(daemon):
    # A stopped or killed daemon leaves its socket file: wait for the new one.
    (daemon.runtime / "control.socket").unlink(missing_ok=True)
    daemon.start()


def test_restart_and_crash_keep_one_tap_and_one_table(daemon):
    once = {"tap-alpha": 1, "tap-beta": 1, "gamma-0": 1, "alpha-0": 1, BRIDGE: 1}
    assert count_ours(HOST_NS) == (once, 1)
    assert daemon.stop() == 0, daemon.output()
    # The table goes with the daemon; TAPs and the bridge are persistent.
    assert count_ours(HOST_NS) == (once, 0)
    start_again(daemon)
    assert count_ours(HOST_NS) == (once, 1)
    daemon.proc.send_signal(signal.SIGKILL)
    daemon.proc.wait()
    daemon.log.close()
    start_again(daemon)
    assert count_ours(HOST_NS) == (once, 1)
    assert daemon.stop() == 0, daemon.output()
    assert count_ours(HOST_NS) == (once, 0)


@pytest.mark.parametrize("config,message", [
    ({"nixosVms": [
        vm("a", network={"interfaces": {"wan": {"tap": {"hostAddress": "10.60.0.1/24"}}}}),
        vm("b", network={"interfaces": {"wan": {"tap": {"hostAddress": "10.60.0.2/16"}}}})]},
     "nixosVms[1].network.interfaces.wan.tap.hostAddress: network 10.60.0.0/16 overlaps "
     "nixosVms[0].network.interfaces.wan.tap.hostAddress (10.60.0.0/24)"),
    ({"nixosVms": [vm("a", network={"interfaces": {"wan": {
        "tap": {"hostAddress": "10.60.0.1/24", "bridge": "br9"}}}})]},
     "nixosVms[0].network.interfaces.wan.tap: hostAddress and bridge are mutually exclusive"),
    ({"hostNetworking": {"nat": {"enable": True}}, "nixosVms": [
        vm("a", network={"interfaces": {"wan": {"tap": {"hostAddress": "10.60.0.1/24"}}}})]},
     "hostNetworking.nat.interface: required when hostNetworking.nat.enable is true"),
], ids=["overlap", "host-address-and-bridge", "nat-without-interface"])
def test_bad_network_config_is_refused_before_anything_is_created(tmp_path, state_dir, config,
                                                                  message):
    ns = f"{PREFIX}-bad"
    netns_create(ns)
    try:
        d = Daemon(tmp_path, state_dir, config.pop("nixosVms"), netns=ns, config=config)
        with pytest.raises(RuntimeError) as e:
            d.start()
        assert message in str(e.value)
        assert d.proc.wait() != 0
        d.log.close()
        assert link_names(ns) == ["lo"]
        assert nft_tables(ns) == []
    finally:
        sh("ip", "netns", "del", ns, check=False)
