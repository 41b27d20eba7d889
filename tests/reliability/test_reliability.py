# SPDX-License-Identifier: LGPL-2.1-or-later
"""The reliability suite on one shared daemon: many sessions without growth, many concurrent
sessions with intact output, a guest agent or VMM killed mid-stream, and a guest that stops
reading its channel while other VMs keep working."""
import concurrent.futures
import os
import signal
import subprocess
import time

import pytest

from daemon import Daemon, binary, vm
from sessions import (FIND_AGENT_PID, guest_root, pid_alive, process_snapshot, run_session, sha,
                      wait_until)

VMS = [vm("warm"), vm("spare"), vm("victim")]
RSS_GROWTH_MAX_KIB = 256


@pytest.fixture(scope="module")
def daemon(tmp_path_factory, state_dir):
    d = Daemon(tmp_path_factory.mktemp("reliability"), state_dir, VMS).start(timeout=600)
    # Boot every VM at once: the tests below find them warm.
    with concurrent.futures.ThreadPoolExecutor(len(VMS)) as pool:
        results = list(pool.map(lambda v: d.run(v["name"], "true", timeout=300), VMS))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    yield d
    assert d.stop() == 0, d.output()


def stream_session(d, name, mib):
    """`head -c N /dev/zero | vm-run NAME cat | wc -c` as processes; returns (run, counter)."""
    feeder = subprocess.Popen(["head", "-c", str(mib << 20), "/dev/zero"], stdout=subprocess.PIPE)
    run = subprocess.Popen([binary("vmsilo"), "run", "-T", name, "cat"], env=d.env,
                           stdin=feeder.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    feeder.stdout.close()
    return feeder, run


def wait_streaming(run, nbytes=1 << 20, timeout=60):
    """Reads until at least nbytes came out of the session: it is mid-stream."""
    got = 0
    deadline = time.monotonic() + timeout
    while got < nbytes and time.monotonic() < deadline:
        chunk = os.read(run.stdout.fileno(), 1 << 16)
        assert chunk, run.stderr.read()
        got += len(chunk)
    assert got >= nbytes


def finish(run, timeout):
    """Drains a session's output and waits for it; returns (status, stderr, seconds)."""
    t = time.monotonic()
    _, err = run.communicate(timeout=timeout)
    return run.returncode, err, time.monotonic() - t


def settled_snapshot(pid, timeout=10):
    """A snapshot once the fd count holds still: the daemon reaps a closed connection a moment
    after the client's close(), so a snapshot right after a session may count its socket."""
    previous = process_snapshot(pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.3)
        current = process_snapshot(pid)
        if current["fds"] == previous["fds"]:
            return current
        previous = current
    return previous


def test_1000_sequential_sessions_grow_no_fds_threads_children_or_memory(daemon):
    pid = daemon.proc.pid
    for _ in range(100):  # warm-up: allocator pools, lazily built tables
        assert run_session(daemon, "warm", ["true"])[0] == 0
    before = settled_snapshot(pid)
    for i in range(900):
        code, out, _ = run_session(daemon, "warm", ["echo", str(i)])
        assert (code, out) == (0, f"{i}\n".encode())
    after = settled_snapshot(pid)
    assert after["fds"] == before["fds"], (before, after)
    assert after["threads"] == before["threads"] == 1, (before, after)
    assert after["children"] == before["children"], (before, after)
    assert after["rss_kib"] - before["rss_kib"] <= RSS_GROWTH_MAX_KIB, (before, after)


def test_200_concurrent_sessions_of_mixed_sizes_return_exact_output(daemon):
    sizes = [0, 1, 4095, 65535, 65536, 65537, 300_000, 1 << 20]

    def one(i):
        data = os.urandom(sizes[i % len(sizes)])
        code, out, err = run_session(daemon, "warm", ["cat"], stdin=data, timeout=300)
        return i, code, sha(out) == sha(data), len(out), len(data), err

    with concurrent.futures.ThreadPoolExecutor(200) as pool:
        results = list(pool.map(one, range(200)))
    bad = [r for r in results if r[1] != 0 or not r[2]]
    assert not bad, bad[:5]
    assert daemon.status("warm")["state"] == "running"


def test_agent_killed_mid_stream_fails_the_session_and_the_next_run_works(daemon):
    feeder, run = stream_session(daemon, "spare", 4096)
    wait_streaming(run)
    r = guest_root(daemon, "spare", FIND_AGENT_PID + " | xargs kill -9")
    # The killing session itself may die with the agent; either way the stream must end.
    status, err, _ = finish(run, timeout=60)
    feeder.kill()
    feeder.wait()
    assert status != 0, err
    # Init restarts the agent; the daemon takes its new HELLO and serves again.
    assert wait_until(lambda: daemon.run("spare", "echo", "back", timeout=60).stdout == b"back\n",
                      timeout=120, interval=1), (r, daemon.output()[-3000:])


def test_vmm_killed_mid_stream_fails_the_session_fast_and_the_next_run_reboots(daemon):
    pid = daemon.status("spare")["pid"]
    feeder, run = stream_session(daemon, "spare", 4096)
    wait_streaming(run)
    os.kill(pid, signal.SIGKILL)
    status, err, took = finish(run, timeout=30)
    feeder.kill()
    feeder.wait()
    assert status == 125, err
    assert took < 10, took
    # The session ends (channel EOF) before vmsilod has reaped the VMM: a run arriving in
    # between waits for the reap and boots the VM again.
    r = daemon.run("spare", "echo", "again", timeout=300)
    assert (r.returncode, r.stdout) == (0, b"again\n"), r.stderr
    assert daemon.status("spare")["pid"] != pid


def test_guest_that_stops_reading_stalls_only_itself(daemon):
    before = process_snapshot(daemon.proc.pid)
    # Stop the agent: nothing in the guest reads the channel any more. The stopping session
    # cannot end (its agent is stopped), so it is left running.
    stopper = subprocess.Popen([binary("vmsilo"), "run", "-T", "-u", "root", "victim", "sh", "-c",
                                FIND_AGENT_PID + " | xargs kill -STOP"], env=daemon.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(3)
    feeders = [stream_session(daemon, "victim", 64) for _ in range(4)]
    time.sleep(5)
    for _ in range(5):
        assert daemon.run("warm", "echo", "fine", timeout=30).stdout == b"fine\n"
        assert daemon.control({"method": "status"})["ok"]
    during = process_snapshot(daemon.proc.pid)
    # Flow control: the daemon holds at most a frame per stream, not the 256 MiB offered.
    assert during["rss_kib"] - before["rss_kib"] < 16 * 1024, (before, during)
    reply = daemon.control({"method": "stop", "vm": "victim"})
    assert reply["ok"], reply
    for feeder, run in feeders + [(None, stopper)]:
        run.communicate(timeout=60)
        assert run.returncode != 0
        if feeder:
            feeder.kill()
            feeder.wait()
    assert daemon.run("warm", "echo", "still", timeout=30).stdout == b"still\n"


# Root in the guest takes the agent's port over (kill the agent, open the port before init
# restarts it a second later) and plays a hostile agent: a fresh HELLO, then a flood of 64 KiB
# frames of an unknown optional type (the host must read and skip them), then a header claiming
# a 2 GiB payload, then random bytes until the VMM dies.
HOSTILE_AGENT = r"""
echo $$ > /sys/fs/cgroup/cgroup.procs
for p in /sys/class/virtio-ports/*; do
    [ "$(cat $p/name)" = org.vmsilo.agent ] && port=/dev/${p##*/}
done
junk=/tmp/junk
: > $junk
i=0
while [ $i -lt 16 ]; do
    printf '\000\000\001\000\001\200\000\000\000\000\000\000' >> $junk
    head -c 65536 /dev/zero >> $junk
    i=$((i + 1))
done
%(find_agent)s | xargs kill -9
exec 3> $port
printf '\020\000\000\000\001\000\000\000\000\000\000\000\001\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >&3
touch /tmp/flooding
n=0
while [ $n -lt %(rounds)d ]; do
    cat $junk >&3
    n=$((n + 1))
done
printf '\377\377\377\177\001\000\000\000\000\000\000\000' >&3
exec cat /dev/urandom >&3
"""


def test_guest_flooding_garbage_and_oversized_frames_is_cut_off(daemon):
    assert daemon.run("victim", "true", timeout=300).returncode == 0
    before = process_snapshot(daemon.proc.pid)
    pid = daemon.status("victim")["pid"]
    script = HOSTILE_AGENT % {"find_agent": FIND_AGENT_PID, "rounds": 256}
    r = daemon.cli("run", "-T", "-u", "root", "victim", "sh", "-c",
                   "cat > /tmp/hostile.sh; setsid sh /tmp/hostile.sh </dev/null >/dev/null 2>&1 &",
                   input=script.encode(), timeout=60)
    assert r.returncode == 0, r.stderr
    # While 256 MiB of junk pours in (skipped frame by frame: the VM stays up), other VMs and
    # the CLI are served.
    for _ in range(5):
        assert daemon.run("warm", "echo", "fine", timeout=60).stdout == b"fine\n"
        assert daemon.control({"method": "status"})["ok"]
    assert daemon.status("victim")["state"] == "running", daemon.output()[-2000:]
    # The oversized header ends it: the VM fails with the reason, its VMM is killed.
    assert wait_until(lambda: daemon.status("victim")["state"] == "failed", timeout=300,
                      interval=0.5), daemon.output()[-3000:]
    status = daemon.status("victim")
    assert "broke the channel protocol" in status["reason"], status
    assert not pid_alive(pid)
    during = process_snapshot(daemon.proc.pid)
    assert during["rss_kib"] - before["rss_kib"] < 16 * 1024, (before, during)
    r = daemon.run("victim", "true")
    assert r.returncode == 0, r.stderr
    assert daemon.run("warm", "echo", "still", timeout=30).stdout == b"still\n"
