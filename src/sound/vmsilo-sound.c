/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vmsilo-sound: one VM's sound, between QEMU's D-Bus audio and the user's PulseAudio server.
 *
 * vmsilod starts it as the configured user, in bubblewrap, next to the VM's private bus on which
 * QEMU's D-Bus display is org.qemu. We hand QEMU an org.qemu.Display1.AudioOutListener (and, only
 * with --capture, an AudioInListener): QEMU pushes the guest's PCM to us and we play it as a
 * PulseAudio stream named "[vm] playback". QEMU itself never talks to the sound server, so a VM
 * without capture has no path to a recording stream: the only process holding the server's
 * socket is this one, and it opens none. docs/sound.md.
 *
 * Neither side ever waits for the other. QEMU 7.2 makes blocking D-Bus calls from its main loop
 * (listener setup, capture's Read), so the bus side must answer at once: it only copies into or
 * out of a bounded ring per voice (pcm-ring.c) and pads a short Read with silence. libpulse runs
 * asynchronously in its threaded main loop and moves data between the rings and the server as
 * the server asks. That thread is the one exception to "no threads" (docs/sound.md): every Voice
 * and the context are touched only under pa_threaded_mainloop_lock(), which libpulse holds
 * around its own callbacks; nothing under it blocks. */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "config-internal.h"
#include "log.h"
#include "macro.h"
#include "pcm-format.h"
#include "pcm-ring.h"
#include "time-util.h"

/* After macro.h: <sys/param.h>, which these pull in, has its own MIN and MAX. */
#include <pulse/pulseaudio.h>

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
/* What the server buffers for us (playback target, capture fragment): the latency we ask for. */
#define STREAM_LATENCY_USEC ((pa_usec_t) 40000)
/* A VMM that delivers late (TCG, a loaded host) makes the playback stream run dry: each underrun
 * raises its target by a step, up to the maximum, as PulseAudio raises an ALSA sink's watermark.
 * A few steps trade some latency for sound without holes (docs/sound.md, "Performance"). */
#define STREAM_LATENCY_STEP_USEC ((pa_usec_t) 20000)
#define STREAM_LATENCY_MAX_USEC ((pa_usec_t) 200000)
/* What a voice's ring holds at most: a scheduling hiccup's worth; beyond it, samples drop. */
#define RING_USEC ((pa_usec_t) 250000)
/* A guest can start and stop its stream at will: one "stopped" line per voice per second at most,
 * the next one telling what the runs in between had. */
#define STOP_LINE_USEC ((uint64_t) 1000000)
/* How often a missing or lost sound server is looked for again. */
#define SERVER_RETRY_USEC ((uint64_t) 2000000)

typedef struct Sound Sound;

typedef struct Voice {
        Sound *owner;
        uint64_t id;
        bool used, capture;
        pa_sample_spec spec;
        pa_stream *stream;      /* NULL while there is no server */
        PcmRing ring;           /* playback: from QEMU to the server; capture: the other way */
        bool stopped;           /* the guest stopped its stream (SetEnabled false) */
        pa_usec_t latency_usec; /* what the stream asks of the server */
        uint64_t underruns;     /* playback: the server ran dry while the guest played */
        /* The "stopped" line: the counts it last told, the starts since, when it may come again */
        uint64_t told_underruns, told_dropped, starts, next_stop_line_usec;
        uint64_t silence_bytes; /* capture: Read padded with silence */
} Voice;

struct Sound {
        const char *vm_name;
        const char *server; /* --server, or NULL: libpulse's default */
        bool capture;
        Voice voices[VOICES_MAX];
        bool server_missing_logged;
        sd_event *event;
        sd_bus *qemu;         /* the VM's bus */
        sd_bus *listeners[2]; /* out, in; NULL until QEMU is on the bus */
        sd_event_source *retry_timer;
        sd_event_source *drain;      /* post source: see on_buses_drain() */
        pa_threaded_mainloop *pulse; /* its lock guards voices[] and context */
        pa_context *context;         /* NULL or failed: no server */
};

static const char *voice_kind(const Voice *v) {
        return v->capture ? "capture" : "playback";
}

/* ---- the sound server's side: runs in libpulse's thread, or under its lock ---- */

/* Playback: hands the server what the ring holds, as much as it takes now. */
static void voice_drain(Voice *v) {
        uint8_t buf[16384];

        while (v->stream && pa_stream_get_state(v->stream) == PA_STREAM_READY) {
                size_t room = pa_stream_writable_size(v->stream), n;

                if (room == (size_t) -1)
                        return;
                n = pcm_ring_pop(&v->ring, buf, MIN(room, sizeof(buf)));
                if (n == 0 || pa_stream_write(v->stream, buf, n, NULL, 0, PA_SEEK_RELATIVE) < 0)
                        return;
        }
}

/* Capture: keeps what the server recorded until QEMU's next Read. */
static void voice_fill(Voice *v) {
        const void *data;
        size_t n;

        while (v->stream && pa_stream_readable_size(v->stream) > 0) {
                if (pa_stream_peek(v->stream, &data, &n) < 0 || n == 0)
                        return;
                /* NULL: a hole, which Read pads with silence. Stopped: the guest records nothing
                 * now, and what the server still delivers must not reach its next recording. */
                if (data && !v->stopped)
                        (void) pcm_ring_push(&v->ring, data, n);
                (void) pa_stream_drop(v->stream);
        }
}

static void on_stream_write(pa_stream *stream, size_t nbytes, void *userdata) {
        voice_drain(userdata);
}

static void on_stream_read(pa_stream *stream, size_t nbytes, void *userdata) {
        voice_fill(userdata);
}

static pa_buffer_attr voice_buffer_attr(const Voice *v) {
        return (pa_buffer_attr){
                .maxlength = (uint32_t) -1,
                .tlength = (uint32_t) pa_usec_to_bytes(v->latency_usec, &v->spec),
                .prebuf = (uint32_t) -1,
                .minreq = (uint32_t) -1,
                .fragsize = (uint32_t) pa_usec_to_bytes(v->latency_usec / 2, &v->spec),
        };
}

/* Running dry after the guest stopped is the end of its sound, not an underrun. */
static void on_stream_underflow(pa_stream *stream, void *userdata) {
        Voice *v = userdata;
        pa_buffer_attr attr;
        pa_operation *o;

        if (v->stopped)
                return;
        v->underruns++;
        if (v->latency_usec >= STREAM_LATENCY_MAX_USEC)
                return;
        v->latency_usec = MIN(v->latency_usec + STREAM_LATENCY_STEP_USEC, STREAM_LATENCY_MAX_USEC);
        attr = voice_buffer_attr(v);
        o = pa_stream_set_buffer_attr(stream, &attr, NULL, NULL);
        if (o)
                pa_operation_unref(o);
        log_info("VM %s: playback voice %" PRIu64 " ran dry; its stream now buffers %" PRIu64 " ms",
                        v->owner->vm_name, v->id, (uint64_t) (v->latency_usec / 1000));
}

static void voice_stream_close(Voice *v) {
        if (!v->stream)
                return;
        pa_stream_set_write_callback(v->stream, NULL, NULL);
        pa_stream_set_read_callback(v->stream, NULL, NULL);
        pa_stream_set_underflow_callback(v->stream, NULL, NULL);
        (void) pa_stream_disconnect(v->stream);
        pa_stream_unref(v->stream);
        v->stream = NULL;
}

/* Opens the voice's stream once the server is ready, named "[vm] playback" or "[vm] capture"
 * (application.name, which mixers show). */
static void voice_stream_open(Voice *v) {
        Sound *s = v->owner;
        _cleanup_(freep) char *name = NULL;
        pa_proplist *props;
        pa_channel_map map;
        pa_buffer_attr attr = voice_buffer_attr(v);
        int r;

        if (v->stream || !s->context || pa_context_get_state(s->context) != PA_CONTEXT_READY)
                return;
        if (asprintf(&name, "[%s] %s", s->vm_name, voice_kind(v)) < 0) {
                name = NULL;
                return;
        }
        props = pa_proplist_new();
        if (!props)
                return;
        (void) pa_proplist_sets(props, PA_PROP_APPLICATION_NAME, name);
        (void) pa_proplist_sets(props, PA_PROP_APPLICATION_ID, "vmsilo-sound");
        v->stream = pa_stream_new_with_proplist(s->context, name, &v->spec,
                        pa_channel_map_init_extend(&map, v->spec.channels, PA_CHANNEL_MAP_DEFAULT),
                        props);
        pa_proplist_free(props);
        if (!v->stream)
                return;
        pa_stream_set_underflow_callback(v->stream, on_stream_underflow, v);
        if (v->capture) {
                pa_stream_set_read_callback(v->stream, on_stream_read, v);
                r = pa_stream_connect_record(v->stream, NULL, &attr, PA_STREAM_ADJUST_LATENCY);
        } else {
                pa_stream_set_write_callback(v->stream, on_stream_write, v);
                r = pa_stream_connect_playback(
                                v->stream, NULL, &attr, PA_STREAM_ADJUST_LATENCY, NULL, NULL);
        }
        if (r < 0) {
                log_warning("VM %s: cannot open the %s stream: %s", s->vm_name, voice_kind(v),
                                pa_strerror(pa_context_errno(s->context)));
                voice_stream_close(v);
                return;
        }
        log_info("VM %s: %s stream %s: %u Hz, %u channels", s->vm_name, voice_kind(v), name,
                        v->spec.rate, v->spec.channels);
}

static void on_context_state(pa_context *context, void *userdata) {
        Sound *s = userdata;

        switch (pa_context_get_state(context)) {
        case PA_CONTEXT_READY:
                log_info("VM %s: connected to the sound server", s->vm_name);
                s->server_missing_logged = false;
                for (size_t i = 0; i < VOICES_MAX; i++)
                        if (s->voices[i].used)
                                voice_stream_open(&s->voices[i]);
                break;
        case PA_CONTEXT_FAILED:
        case PA_CONTEXT_TERMINATED:
                /* Logged once per loss: the VM keeps running and its sound goes nowhere. */
                if (!s->server_missing_logged)
                        log_warning("no sound server for VM %s: %s; its sound is dropped until "
                                    "one appears",
                                        s->vm_name, pa_strerror(pa_context_errno(context)));
                s->server_missing_logged = true;
                for (size_t i = 0; i < VOICES_MAX; i++)
                        voice_stream_close(&s->voices[i]);
                break;
        default:
                break;
        }
}

/* Under the lock. A context that failed is replaced; one that is connecting or ready stays. */
static void sound_connect(Sound *s) {
        pa_context_state_t state;

        if (s->context) {
                state = pa_context_get_state(s->context);
                if (state != PA_CONTEXT_FAILED && state != PA_CONTEXT_TERMINATED)
                        return;
                pa_context_set_state_callback(s->context, NULL, NULL);
                pa_context_unref(s->context);
                s->context = NULL;
        }
        s->context = pa_context_new(pa_threaded_mainloop_get_api(s->pulse), "vmsilo-sound");
        if (!s->context)
                return;
        pa_context_set_state_callback(s->context, on_context_state, s);
        if (pa_context_connect(s->context, s->server, PA_CONTEXT_NOAUTOSPAWN, NULL) < 0)
                on_context_state(s->context, s);
}

static int on_retry_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        Sound *s = userdata;

        pa_threaded_mainloop_lock(s->pulse);
        sound_connect(s);
        pa_threaded_mainloop_unlock(s->pulse);
        return sd_event_source_set_time(source, usec + SERVER_RETRY_USEC);
}

/* ---- voices, under the lock ---- */

static void voice_close(Voice *v) {
        if (!v->used)
                return;
        if (v->capture)
                log_info("VM %s: capture voice %" PRIu64 " closed: %" PRIu64 " bytes dropped, "
                         "%" PRIu64 " bytes of silence",
                                v->owner->vm_name, v->id, v->ring.dropped_bytes, v->silence_bytes);
        else
                log_info("VM %s: playback voice %" PRIu64 " closed: %" PRIu64 " underruns, "
                         "%" PRIu64 " bytes dropped",
                                v->owner->vm_name, v->id, v->underruns, v->ring.dropped_bytes);
        voice_stream_close(v);
        pcm_ring_finish(&v->ring);
        *v = (Voice){ .owner = v->owner };
}

static Voice *voice_find(Sound *s, uint64_t id, bool capture) {
        for (size_t i = 0; i < VOICES_MAX; i++)
                if (s->voices[i].used && s->voices[i].id == id && s->voices[i].capture == capture)
                        return &s->voices[i];
        return NULL;
}

static int voice_open(Sound *s, uint64_t id, bool capture, const pa_sample_spec *spec) {
        Voice *v = voice_find(s, id, capture);
        int r;

        if (v)
                voice_close(v);
        for (size_t i = 0; !v && i < VOICES_MAX; i++)
                if (!s->voices[i].used)
                        v = &s->voices[i];
        if (!v)
                return log_warning_errno(-ENOSPC, "voice %" PRIu64 ": too many voices", id);
        r = pcm_ring_init(&v->ring, pa_frame_size(spec), pa_usec_to_bytes(RING_USEC, spec));
        if (r < 0)
                return r;
        v->id = id;
        v->used = true;
        v->capture = capture;
        v->spec = *spec;
        v->latency_usec = STREAM_LATENCY_USEC;
        voice_stream_open(v);
        return 0;
}

/* ---- the VM's side: the listener objects on QEMU's connections ---- */

static int on_init(sd_bus_message *m, void *userdata, sd_bus_error *ret_error, bool capture) {
        Sound *s = userdata;
        PcmFormat untrusted_format = {};
        pa_sample_spec spec;
        uint64_t id;
        uint32_t bytes_per_second;
        int is_signed, is_float, be, r;

        r = sd_bus_message_read(m, "tybbuyuub", &id, &untrusted_format.bits, &is_signed, &is_float,
                        &untrusted_format.rate, &untrusted_format.channels,
                        &untrusted_format.bytes_per_frame, &bytes_per_second, &be);
        if (r < 0)
                return r;
        untrusted_format.is_signed = is_signed;
        untrusted_format.is_float = is_float;
        untrusted_format.big_endian = be;
        /* sanitize start */
        r = pcm_format_to_spec(&untrusted_format, &spec);
        /* sanitize end */
        if (r < 0) {
                log_warning_errno(r,
                                "voice %" PRIu64 ": unplayable format (%u bits, %u Hz, "
                                "%u channels)",
                                id, untrusted_format.bits, untrusted_format.rate,
                                untrusted_format.channels);
                return sd_bus_reply_method_return(m, NULL);
        }
        pa_threaded_mainloop_lock(s->pulse);
        (void) voice_open(s, id, capture, &spec);
        pa_threaded_mainloop_unlock(s->pulse);
        return sd_bus_reply_method_return(m, NULL);
}

static int on_out_init(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_init(m, userdata, ret_error, false);
}

static int on_in_init(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_init(m, userdata, ret_error, true);
}

static int on_fini(sd_bus_message *m, Sound *s, bool capture) {
        Voice *v;
        uint64_t id;
        int r;

        r = sd_bus_message_read(m, "t", &id);
        if (r < 0)
                return r;
        pa_threaded_mainloop_lock(s->pulse);
        v = voice_find(s, id, capture);
        if (v)
                voice_close(v);
        pa_threaded_mainloop_unlock(s->pulse);
        return sd_bus_reply_method_return(m, NULL);
}

static int on_out_fini(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_fini(m, userdata, false);
}

static int on_in_fini(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_fini(m, userdata, true);
}

/* Playback: the guest started or stopped its stream (QEMU's HDA stream's run bit). The voice
 * logs what went wrong while it played, so a user hearing gaps finds out whose they were
 * (docs/sound.md). */
static void voice_playback_enable(Sound *s, Voice *v, bool enabled) {
        if (enabled && v->stopped)
                v->starts++;
        else if (!enabled && !v->stopped && now_usec() >= v->next_stop_line_usec) {
                log_info("VM %s: playback voice %" PRIu64 " stopped: %" PRIu64 " underruns, "
                         "%" PRIu64 " bytes dropped while it played (%" PRIu64
                         " restarts since the last line)",
                                s->vm_name, v->id, v->underruns - v->told_underruns,
                                v->ring.dropped_bytes - v->told_dropped, v->starts);
                v->told_underruns = v->underruns;
                v->told_dropped = v->ring.dropped_bytes;
                v->starts = 0;
                v->next_stop_line_usec = now_usec() + STOP_LINE_USEC;
        }
        v->stopped = !enabled;
}

/* Capture: the guest started or stopped recording. A new recording starts with an empty ring:
 * without that it would begin with the quarter second the ring kept from whenever it last
 * filled. While stopped, voice_fill() keeps nothing, and a ready stream is corked too, so the
 * host's source is not read for a VM that does not record (a stream still connecting stays
 * uncorked, its data dropped). */
static void voice_capture_enable(Voice *v, bool enabled) {
        v->stopped = !enabled;
        pcm_ring_clear(&v->ring);
        if (v->stream && pa_stream_get_state(v->stream) == PA_STREAM_READY) {
                pa_operation *o = pa_stream_cork(v->stream, !enabled, NULL, NULL);

                if (o)
                        pa_operation_unref(o);
        }
}

static int on_set_enabled(sd_bus_message *m, void *userdata, bool capture) {
        Sound *s = userdata;
        uint64_t id;
        int enabled, r;
        Voice *v;

        r = sd_bus_message_read(m, "tb", &id, &enabled);
        if (r < 0)
                return r;
        pa_threaded_mainloop_lock(s->pulse);
        v = voice_find(s, id, capture);
        if (v && capture)
                voice_capture_enable(v, enabled);
        else if (v)
                voice_playback_enable(s, v, enabled);
        pa_threaded_mainloop_unlock(s->pulse);
        return sd_bus_reply_method_return(m, NULL);
}

static int on_out_set_enabled(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_set_enabled(m, userdata, false);
}

static int on_in_set_enabled(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return on_set_enabled(m, userdata, true);
}

/* SetVolume: the guest's mixer (the user's mixer controls the stream instead). */
static int on_ignored(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        return sd_bus_reply_method_return(m, NULL);
}

/* Any length is fine: the ring takes what fits, whole frames, and counts the rest. */
static int on_write(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Sound *s = userdata;
        const void *untrusted_data;
        size_t untrusted_size;
        uint64_t id;
        Voice *v;
        int r;

        r = sd_bus_message_read(m, "t", &id);
        if (r >= 0)
                r = sd_bus_message_read_array(m, 'y', &untrusted_data, &untrusted_size);
        if (r < 0)
                return r;
        pa_threaded_mainloop_lock(s->pulse);
        v = voice_find(s, id, false);
        if (v) {
                (void) pcm_ring_push(&v->ring, untrusted_data, untrusted_size);
                voice_drain(v);
        }
        pa_threaded_mainloop_unlock(s->pulse);
        return sd_bus_reply_method_return(m, NULL);
}

/* Capture: only registered with --capture. Answered at once from what the server recorded,
 * padded with silence (also all silence without a server). */
static int on_read(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(freep) uint8_t *buf = NULL;
        Sound *s = userdata;
        uint64_t id, untrusted_size;
        size_t size, got = 0;
        Voice *v;
        int r;

        r = sd_bus_message_read(m, "tt", &id, &untrusted_size);
        if (r < 0)
                return r;
        pa_threaded_mainloop_lock(s->pulse);
        v = voice_find(s, id, true);
        /* sanitize start */
        if (!v || untrusted_size > READ_BYTES_MAX || untrusted_size % v->ring.frame_bytes != 0) {
                pa_threaded_mainloop_unlock(s->pulse);
                return sd_bus_error_set(ret_error, SD_BUS_ERROR_INVALID_ARGS, "bad read");
        }
        size = untrusted_size;
        /* sanitize end */
        buf = malloc(size ?: 1);
        if (buf) {
                got = pcm_ring_pop(&v->ring, buf, size);
                if (size > got)
                        memset(buf + got, pcm_format_silence_byte(&v->spec), size - got);
                v->silence_bytes += size - got;
        }
        pa_threaded_mainloop_unlock(s->pulse);
        if (!buf)
                return -ENOMEM;
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
        SD_BUS_METHOD("SetEnabled", "tb", "", on_out_set_enabled, 0),
        SD_BUS_METHOD("SetVolume", "tbay", "", on_ignored, 0),
        SD_BUS_METHOD("Write", "tay", "", on_write, 0),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable in_listener_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Init", "tybbuyuub", "", on_in_init, 0),
        SD_BUS_METHOD("Fini", "t", "", on_in_fini, 0),
        SD_BUS_METHOD("SetEnabled", "tb", "", on_in_set_enabled, 0),
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

/* sd-bus reads what arrives with the end of authentication (QEMU's first call, sent as soon as
 * it read our pipelined BEGIN) into its buffer, and its event source waits for the socket to be
 * readable again before it parses it. QEMU 7.2 meanwhile blocks in that call (the listener
 * proxy's GetAll) until its 25 s timeout. So after every dispatch each connection is processed
 * until it has nothing buffered: sd_bus_process() only parses, it never blocks. */
static int on_buses_drain(sd_event_source *source, void *userdata) {
        Sound *s = userdata;
        sd_bus *buses[] = { s->qemu, s->listeners[0], s->listeners[1] };

        for (size_t i = 0; i < ELEMENTSOF(buses); i++)
                while (buses[i] && sd_bus_process(buses[i], NULL) > 0)
                        ;
        return 0;
}

/* Starts libpulse's thread and the first connection; the retry timer replaces a failed one. */
static int sound_start_pulse(Sound *s) {
        int r;

        for (size_t i = 0; i < VOICES_MAX; i++)
                s->voices[i].owner = s;
        s->pulse = pa_threaded_mainloop_new();
        if (!s->pulse)
                return -ENOMEM;
        if (pa_threaded_mainloop_start(s->pulse) < 0)
                return -EIO;
        pa_threaded_mainloop_lock(s->pulse);
        sound_connect(s);
        pa_threaded_mainloop_unlock(s->pulse);
        r = sd_event_add_time_relative(s->event, &s->retry_timer, CLOCK_MONOTONIC,
                        SERVER_RETRY_USEC, 0, on_retry_timer, s);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(s->retry_timer, "sound-server-retry");
        return sd_event_source_set_enabled(s->retry_timer, SD_EVENT_ON);
}

/* Closes the voices (logging their counts) and the connection, then ends libpulse's thread. */
static void sound_stop_pulse(Sound *s) {
        s->retry_timer = sd_event_source_disable_unref(s->retry_timer);
        s->drain = sd_event_source_disable_unref(s->drain);
        if (!s->pulse)
                return;
        pa_threaded_mainloop_lock(s->pulse);
        for (size_t i = 0; i < VOICES_MAX; i++)
                voice_close(&s->voices[i]);
        if (s->context) {
                pa_context_set_state_callback(s->context, NULL, NULL);
                pa_context_disconnect(s->context);
                pa_context_unref(s->context);
                s->context = NULL;
        }
        pa_threaded_mainloop_unlock(s->pulse);
        pa_threaded_mainloop_stop(s->pulse);
        pa_threaded_mainloop_free(s->pulse);
        s->pulse = NULL;
}

static void help(void) {
        printf("vmsilo-sound --bus ADDRESS --name VM [--server PULSE_SERVER] [--capture]\n"
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
                { "server", required_argument, NULL, 's' },
                {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *qemu = NULL, *out = NULL, *in = NULL;
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        Sound s = {};
        const char *bus_address = NULL;
        sigset_t term;
        int c, r;

        log_set_program_name("vmsilo-sound");
        /* vmsilod runs us in the VMM's PID namespace as the VMM's user (docs/sound.md): not
         * dumpable, a compromised VMM cannot read our memory or reach our /proc/PID/{root,fd},
         * behind which the sound server's socket is. */
        if (prctl(PR_SET_DUMPABLE, 0) < 0) {
                log_error_errno(-errno, "prctl(PR_SET_DUMPABLE): %m");
                return EXIT_FAILURE;
        }
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
                case 's':
                        s.server = optarg;
                        break;
                default:
                        return EXIT_FAILURE;
                }
        if (!bus_address || !s.vm_name || optind < argc) {
                help();
                return EXIT_FAILURE;
        }
        /* vmsilod stops us with SIGTERM: leave the loop so the voices log their counts. */
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &term, NULL) < 0)
                return EXIT_FAILURE;
        r = sd_event_default(&e);
        if (r >= 0)
                r = sd_event_add_signal(e, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = bus_open(e, bus_address, -EBADF, &qemu);
        if (r >= 0) {
                s.event = e;
                s.qemu = qemu;
                r = sound_start_pulse(&s);
        }
        if (r >= 0) {
                r = sd_event_add_post(e, &s.drain, on_buses_drain, &s);
                if (r >= 0)
                        r = sd_event_source_set_enabled(s.drain, SD_EVENT_ON);
        }
        if (r >= 0)
                r = qemu_watch(&s);
        if (r >= 0)
                r = sd_event_loop(e);
        out = s.listeners[0];
        in = s.listeners[1];
        sound_stop_pulse(&s);
        if (r < 0) {
                log_error_errno(r, "VM %s sound: %m", s.vm_name ?: "?");
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
