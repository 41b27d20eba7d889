#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""hostile-qemu-audio.py BUS: a compromised VMM in QEMU's place on a VM's sound bus.

It owns org.qemu and exports org.qemu.Display1.Audio like QEMU's D-Bus display. When vmsilo-sound
hands it a listener connection, it tries every way to get samples out of vmsilo-sound: an
AudioInListener on that connection (Init, then Read), and Read on the playback listener. It
prints one line per attempt ("register-in", "in-init: <error name or ok>", ...) and exits after
the attempts on the first listener. Used by tests/integration/test_sound.py.
"""
import sys

from gi.repository import Gio, GLib

XML = """<node><interface name="org.qemu.Display1.Audio">
<method name="RegisterOutListener"><arg type="h" name="listener" direction="in"/></method>
<method name="RegisterInListener"><arg type="h" name="listener" direction="in"/></method>
</interface></node>"""
IN_INIT = GLib.Variant("(tybbuyuub)", (1, 16, True, False, 44100, 2, 4, 176400, False))
loop = GLib.MainLoop()


def attempt(conn, label, path, interface, method, args):
    try:
        conn.call_sync(None, path, interface, method, args, None,
                       Gio.DBusCallFlags.NONE, 5000, None)
        print(f"{label}: ok", flush=True)
    except GLib.Error as e:
        print(f"{label}: {Gio.DBusError.get_remote_error(e) or e.message}", flush=True)


def on_call(conn, sender, path, interface, method, params, invocation):
    print(f"register-{'in' if method == 'RegisterInListener' else 'out'}", flush=True)
    fds = invocation.get_message().get_unix_fd_list()
    fd = fds.get(params.unpack()[0])
    invocation.return_value(None)
    stream = Gio.Socket.new_from_fd(fd).connection_factory_create_connection()
    listener = Gio.DBusConnection.new_sync(
        stream, Gio.dbus_generate_guid(), Gio.DBusConnectionFlags.AUTHENTICATION_SERVER,
        None, None)
    attempt(listener, "in-init", "/org/qemu/Display1/AudioInListener",
            "org.qemu.Display1.AudioInListener", "Init", IN_INIT)
    attempt(listener, "in-read", "/org/qemu/Display1/AudioInListener",
            "org.qemu.Display1.AudioInListener", "Read", GLib.Variant("(tt)", (1, 4096)))
    attempt(listener, "out-read", "/org/qemu/Display1/AudioOutListener",
            "org.qemu.Display1.AudioOutListener", "Read", GLib.Variant("(tt)", (1, 4096)))
    loop.quit()


def main():
    bus = Gio.DBusConnection.new_for_address_sync(
        sys.argv[1], Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    info = Gio.DBusNodeInfo.new_for_xml(XML).interfaces[0]
    bus.register_object("/org/qemu/Display1/Audio", info, on_call, None, None)
    Gio.bus_own_name_on_connection(bus, "org.qemu", Gio.BusNameOwnerFlags.NONE, None, None)
    print("ready", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
