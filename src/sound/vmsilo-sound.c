/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmsilo-sound: one VM's sound, between QEMU's D-Bus audio and the user's PulseAudio server.
 *
 * vmsilod starts it as the configured user, sandboxed, with one end of a socketpair whose other
 * end QEMU got through QMP add_client (-display dbus,p2p=yes). On that connection we register an
 * org.qemu.Display1.AudioOutListener (and, only with --capture, an AudioInListener): QEMU then
 * pushes the guest's PCM to us and we play it as a PulseAudio stream named "[vm] …". QEMU itself
 * never talks to the sound server, so a VM without capture has no path to a recording stream:
 * the only process holding the server's socket is this one, and it never opens one. docs/sound.md.
 *
 * PulseAudio goes through the blocking simple API: QEMU paces the calls in real time (Write is
 * fire-and-forget on its side, Read is a synchronous call QEMU waits for), so a blocking write or
 * read is the back-pressure the stream needs. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "config-internal.h"
#include "log.h"
#include "macro.h"
#include "pcm-format.h"

/* After macro.h: <sys/param.h>, which these pull in, has its own MIN and MAX. */
#include <pulse/error.h>
#include <pulse/simple.h>

/* QEMU's name on the VM's bus (-display dbus,addr=…). */
#define QEMU_BUS_NAME "org.qemu"
#define AUDIO_PATH "/org/qemu/Display1/Audio"
#define AUDIO_INTERFACE "org.qemu.Display1.Audio"
#define OUT_LISTENER_PATH "/org/qemu/Display1/AudioOutListener"
#define IN_LISTENER_PATH "/org/qemu/Display1/AudioInListener"
/* Voices of one HDA codec: one out and one in stream; a few more cost nothing. */
#define VOICES_MAX 8
/* A Read asks for what accumulated since the last one (~10 ms); more is a confused VMM. */
#define READ_BYTES_MAX (1024 * 1024)

typedef struct Voice {
        uint64_t id;
        bool used, capture;
        pa_simple *stream; /* NULL: no server (logged) or voice disabled */
        size_t frame_bytes;
} Voice;

typedef struct Sound {
        const char *vm_name;
        bool capture;
        Voice voices[VOICES_MAX];
        bool server_missing_logged;
        sd_event *event;
        sd_bus *qemu;        /* the VM's bus */
        sd_bus *listeners[2]; /* out, in; NULL until QEMU is on the bus */
} Sound;

static void voice_close(Voice *v) {
        if (v->stream)
                pa_simple_free(v->stream);
        *v = (Voice){};
}

static Voice *voice_find(Sound *s, uint64_t id, bool capture) {
        for (size_t i = 0; i < VOICES_MAX; i++)
                if (s->voices[i].used && s->voices[i].id == id && s->voices[i].capture == capture)
                        return &s->voices[i];
        return NULL;
}

static int voice_open(Sound *s, uint64_t id, bool capture, const PcmFormat *f) {
        _cleanup_(freep) char *app = NULL;
        pa_sample_spec spec;
        Voice *v = voice_find(s, id, capture);
        int r, error = 0;

        r = pcm_format_to_spec(f, &spec);
        if (r < 0)
                return log_warning_errno(r, "voice %" PRIu64 ": unplayable format (%u bits, %u Hz, "
                                "%u channels)", id, f->bits, f->rate, f->channels);
        if (v)
                voice_close(v);
        for (size_t i = 0; !v && i < VOICES_MAX; i++)
                if (!s->voices[i].used)
                        v = &s->voices[i];
        if (!v)
                return log_warning_errno(-ENOSPC, "voice %" PRIu64 ": too many voices", id);
        *v = (Voice){ .id = id, .used = true, .capture = capture,
                .frame_bytes = f->bytes_per_frame };
        if (asprintf(&app, "[%s] %s", s->vm_name, capture ? "capture" : "playback") < 0) {
                app = NULL;
                return -ENOMEM;
        }
        v->stream = pa_simple_new(/* server= */ NULL, app,
                        capture ? PA_STREAM_RECORD : PA_STREAM_PLAYBACK, /* dev= */ NULL, app,
                        &spec, /* map= */ NULL, /* attr= */ NULL, &error);
        if (!v->stream) {
                /* Logged once: the VM keeps running and its sound goes nowhere. */
                if (!s->server_missing_logged)
                        log_warning("no sound server for VM %s: %s; its sound is dropped until "
                                    "the next stream", s->vm_name, pa_strerror(error));
                s->server_missing_logged = true;
                return 0;
        }
        s->server_missing_logged = false;
        log_info("VM %s: %s stream %s: %u Hz, %u channels", s->vm_name,
                        capture ? "capture" : "playback", app, spec.rate, spec.channels);
        return 0;
}

static int on_init(sd_bus_message *m, void *userdata, sd_bus_error *ret_error, bool capture) {
        Sound *s = userdata;
        PcmFormat f = {};
        uint64_t id;
        uint32_t bytes_per_second;
        int is_signed, is_float, be, r;

        r = sd_bus_message_read(m, "tybbuyuub", &id, &f.bits, &is_signed, &is_float, &f.rate,
                        &f.channels, &f.bytes_per_frame, &bytes_per_second, &be);
        if (r < 0)
                return r;
        f.is_signed = is_signed;
        f.is_float = is_float;
        f.big_endian = be;
        (void) voice_open(s, id, capture, &f);
        return sd_bus_reply_method_return(m, NULL);
}

static int on_out_init(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_init(m, userdata, ret_error, false);
}

static int on_in_init(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_init(m, userdata, ret_error, true);
}

static int on_fini(sd_bus_message *m, void *userdata, bool capture) {
        Voice *v;
        uint64_t id;
        int r;

        r = sd_bus_message_read(m, "t", &id);
        if (r < 0)
                return r;
        v = voice_find(userdata, id, capture);
        if (v)
                voice_close(v);
        return sd_bus_reply_method_return(m, NULL);
}

static int on_out_fini(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_fini(m, userdata, false);
}

static int on_in_fini(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_fini(m, userdata, true);
}

/* SetEnabled and SetVolume: the guest's mixer. The user's mixer controls the stream instead. */
static int on_ignored(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return sd_bus_reply_method_return(m, NULL);
}

static int on_write(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        const void *data;
        size_t size;
        uint64_t id;
        Voice *v;
        int r, error;

        r = sd_bus_message_read(m, "t", &id);
        if (r >= 0)
                r = sd_bus_message_read_array(m, 'y', &data, &size);
        if (r < 0)
                return r;
        v = voice_find(userdata, id, false);
        if (v && v->stream && size > 0 && pa_simple_write(v->stream, data, size, &error) < 0) {
                log_warning("VM playback stream lost: %s", pa_strerror(error));
                pa_simple_free(TAKE_PTR(v->stream));
        }
        return sd_bus_reply_method_return(m, NULL);
}

/* Capture: only registered with --capture. Without a server the guest records silence. */
static int on_read(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(freep) uint8_t *buf = NULL;
        uint64_t id, size;
        Voice *v;
        int r, error;

        r = sd_bus_message_read(m, "tt", &id, &size);
        if (r < 0)
                return r;
        v = voice_find(userdata, id, true);
        if (!v || size > READ_BYTES_MAX || size % v->frame_bytes != 0)
                return sd_bus_error_set(ret_error, SD_BUS_ERROR_INVALID_ARGS, "bad read");
        buf = calloc(1, size ?: 1);
        if (!buf)
                return -ENOMEM;
        if (v->stream && size > 0 && pa_simple_read(v->stream, buf, size, &error) < 0) {
                log_warning("VM capture stream lost: %s", pa_strerror(error));
                pa_simple_free(TAKE_PTR(v->stream));
                memset(buf, 0, size);
        }
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_append_array(reply, 'y', buf, size);
        if (r >= 0)
                r = sd_bus_send(/* bus= */ NULL, reply, /* cookie= */ NULL);
        return r;
}

static const sd_bus_vtable out_listener_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Init", "tybbuyuub", "", on_out_init, 0),
        SD_BUS_METHOD("Fini", "t", "", on_out_fini, 0),
        SD_BUS_METHOD("SetEnabled", "tb", "", on_ignored, 0),
        SD_BUS_METHOD("SetVolume", "tbay", "", on_ignored, 0),
        SD_BUS_METHOD("Write", "tay", "", on_write, 0),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable in_listener_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Init", "tybbuyuub", "", on_in_init, 0),
        SD_BUS_METHOD("Fini", "t", "", on_in_fini, 0),
        SD_BUS_METHOD("SetEnabled", "tb", "", on_ignored, 0),
        SD_BUS_METHOD("SetVolume", "tbay", "", on_ignored, 0),
        SD_BUS_METHOD("Read", "tt", "ay", on_read, 0),
        SD_BUS_VTABLE_END,
};

/* The VM's private bus (address) or a peer-to-peer listener connection (fd, QEMU authenticates).
 * Either way the connection ends with QEMU, and so do we. */
static int bus_open(sd_event *e, const char *address, int fd, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r >= 0 && address) {
                r = sd_bus_set_address(bus, address);
                if (r >= 0)
                        r = sd_bus_set_bus_client(bus, true);
        } else if (r >= 0)
                r = sd_bus_set_fd(bus, fd, fd);
        if (r >= 0)
                r = sd_bus_set_exit_on_disconnect(bus, true);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0)
                r = sd_bus_attach_event(bus, e, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

static int listener_register(Sound *s, bool capture);

/* One registration at a time, capture first: QEMU 7.2 blocks in each registration until the new
 * connection has authenticated, and once playback runs (blocking writes to PulseAudio) a later
 * capture registration was seen to never finish. */
static int on_registered(sd_bus_message *m, Sound *s, bool capture) {
        const sd_bus_error *error = sd_bus_message_get_error(m);
        const char *what = capture ? "capture" : "playback";

        if (error) {
                log_error("QEMU refused the %s listener: %s", what, error->message);
                return sd_event_exit(s->event, -EPROTO);
        }
        log_info("%s listener registered", what);
        if (capture) {
                int r = listener_register(s, /* capture= */ false);
                if (r < 0)
                        return sd_event_exit(s->event, r);
        }
        return 0;
}

static int on_out_registered(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_registered(m, userdata, false);
}

static int on_in_registered(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_registered(m, userdata, true);
}

/* Makes a socketpair, serves the listener object on our end and hands QEMU the other through
 * Register{Out,In}Listener. Asynchronous: QEMU authenticates the new connection before it
 * answers, so we must be in the event loop by then. */
static int listener_register(Sound *s, bool capture) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *listener = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        _cleanup_(closep) int ours = -EBADF, theirs = -EBADF;
        int pair[2];
        int r;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
                return -errno;
        ours = pair[0];
        theirs = pair[1];
        r = bus_open(s->event, /* address= */ NULL, ours, &listener);
        if (r < 0)
                return r;
        ours = -EBADF; /* the bus owns it now */
        r = sd_bus_add_object_vtable(listener, /* slot= */ NULL,
                        capture ? IN_LISTENER_PATH : OUT_LISTENER_PATH,
                        capture ? "org.qemu.Display1.AudioInListener"
                                : "org.qemu.Display1.AudioOutListener",
                        capture ? in_listener_vtable : out_listener_vtable, s);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_call(s->qemu, &call, QEMU_BUS_NAME, AUDIO_PATH,
                        AUDIO_INTERFACE, capture ? "RegisterInListener" : "RegisterOutListener");
        if (r >= 0)
                r = sd_bus_message_append(call, "h", theirs);
        if (r >= 0)
                r = sd_bus_call_async(s->qemu, /* slot= */ NULL, call,
                                capture ? on_in_registered : on_out_registered, s,
                                /* usec= */ 0);
        if (r < 0)
                return r;
        s->listeners[capture] = TAKE_PTR(listener);
        return 0;
}

/* QEMU joins the bus when it starts, which may be after us: register once org.qemu has an owner,
 * and end when it loses it (the VM is gone). */
static int qemu_appeared(Sound *s) {
        int r;

        if (s->listeners[0])
                return 0;
        r = listener_register(s, /* capture= */ s->capture);
        if (r < 0)
                return sd_event_exit(s->event, r);
        return 0;
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Sound *s = userdata;
        const char *name, *old_owner, *new_owner;
        int r;

        r = sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner);
        if (r < 0)
                return r;
        if (!streq(name, QEMU_BUS_NAME))
                return 0;
        if (isempty(new_owner)) {
                log_info("QEMU left the bus of VM %s", s->vm_name);
                return sd_event_exit(s->event, 0);
        }
        return qemu_appeared(s);
}

static int on_name_has_owner(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        int has, r;

        if (sd_bus_message_is_method_error(m, NULL))
                return 0;
        r = sd_bus_message_read(m, "b", &has);
        if (r < 0)
                return r;
        return has ? qemu_appeared(userdata) : 0;
}

static int qemu_watch(Sound *s) {
        int r;

        r = sd_bus_match_signal(s->qemu, /* slot= */ NULL, "org.freedesktop.DBus",
                        "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged",
                        on_name_owner_changed, s);
        if (r < 0)
                return r;
        return sd_bus_call_method_async(s->qemu, /* slot= */ NULL, "org.freedesktop.DBus",
                        "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
                        on_name_has_owner, s, "s", QEMU_BUS_NAME);
}

static void help(void) {
        printf("vmsilo-sound --bus ADDRESS --name VM [--capture]\n"
               "Plays (and with --capture records) one VM's sound through the user's PulseAudio\n"
               "server; QEMU's D-Bus display is org.qemu on the VM's private bus ADDRESS.\n"
               "Started by vmsilod.\n");
}

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "bus", required_argument, NULL, 'b' },
                { "name", required_argument, NULL, 'n' },
                { "capture", no_argument, NULL, 'c' },
                {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *qemu = NULL, *out = NULL, *in = NULL;
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        Sound s = {};
        const char *bus_address = NULL;
        int c, r;

        log_set_program_name("vmsilo-sound");
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return EXIT_SUCCESS;
                case 'b':
                        bus_address = optarg;
                        break;
                case 'n':
                        if (!config_vm_name_is_valid(optarg)) {
                                log_error("--name: '%s' is not a VM name.", optarg);
                                return EXIT_FAILURE;
                        }
                        s.vm_name = optarg;
                        break;
                case 'c':
                        s.capture = true;
                        break;
                default:
                        return EXIT_FAILURE;
                }
        if (!bus_address || !s.vm_name || optind < argc) {
                help();
                return EXIT_FAILURE;
        }
        r = sd_event_default(&e);
        if (r >= 0)
                r = bus_open(e, bus_address, -EBADF, &qemu);
        if (r >= 0) {
                s.event = e;
                s.qemu = qemu;
                r = qemu_watch(&s);
        }
        if (r >= 0)
                r = sd_event_loop(e);
        out = s.listeners[0];
        in = s.listeners[1];
        for (size_t i = 0; i < VOICES_MAX; i++)
                voice_close(&s.voices[i]);
        if (r < 0) {
                log_error_errno(r, "VM %s sound: %m", s.vm_name ?: "?");
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
