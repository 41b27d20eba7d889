/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* channel.c: a Mux over one fd on sd-event. */
#include <sys/epoll.h>
#include <sys/socket.h>

#include "channel.h"
#include "fd-util.h"
#include "mux-io.h"

/* channel_drain(): what the peer sent so far, not a stream it keeps up. */
#define CHANNEL_DRAIN_READS_MAX 16

struct Channel {
        int fd;
        Mux *mux;
        sd_event_source *io;
        /* Runs after every dispatch: whatever the callbacks queued gets EPOLLOUT. */
        sd_event_source *post;
        ChannelDisconnectHandler on_disconnect;
        void *disconnect_userdata;
        bool disconnected;
        char *description;
};

static void channel_disconnect(Channel *ch, int error, const char *reason) {
        if (ch->disconnected)
                return;
        ch->disconnected = true;
        (void) sd_event_source_set_enabled(ch->io, SD_EVENT_OFF);
        (void) sd_event_source_set_enabled(ch->post, SD_EVENT_OFF);
        if (ch->on_disconnect)
                ch->on_disconnect(ch, error, reason, ch->disconnect_userdata);
}

static int channel_update_events(Channel *ch) {
        uint32_t events = 0;

        if (!channel_is_congested(ch) && !mux_is_broken(ch->mux))
                events |= EPOLLIN;
        if (mux_output_size(ch->mux) > 0)
                events |= EPOLLOUT;
        return sd_event_source_set_io_events(ch->io, events);
}

/* Returns false when the channel disconnected (and may be freed). */
static bool channel_write(Channel *ch) {
        int r = mux_io_write(ch->mux, ch->fd);

        if (r < 0) {
                channel_disconnect(ch, r, "write failed");
                return false;
        }
        return true;
}

/* < 0: the channel disconnected (and may be freed); 0: nothing to read now; > 0: input fed. */
static int channel_read(Channel *ch) {
        const char *reason = NULL;
        int r = mux_io_read(ch->mux, ch->fd, &reason);

        if (r < 0) {
                channel_disconnect(ch, r, reason);
                return -1;
        }
        return r;
}

static int on_channel_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Channel *ch = userdata;

        if ((revents & EPOLLOUT) && !channel_write(ch))
                return 0;
        if ((revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) && channel_read(ch) < 0)
                return 0;
        return 0;
}

bool channel_drain(Channel *ch) {
        int r = 1;

        if (ch->disconnected)
                return false;
        for (unsigned i = 0; r > 0 && i < CHANNEL_DRAIN_READS_MAX; i++)
                r = channel_read(ch);
        return r >= 0 && channel_write(ch);
}

static int on_channel_post(sd_event_source *s, void *userdata) {
        Channel *ch = userdata;

        /* Try to write at once: most frames leave without another loop iteration. */
        if (mux_output_size(ch->mux) > 0 && !channel_write(ch))
                return 0;
        (void) channel_update_events(ch);
        return 0;
}

int channel_new(sd_event *e, int fd, const MuxConfig *config, const char *description,
                Channel **ret) {
        _cleanup_(channel_freep) Channel *ch = NULL;
        int r;

        ch = calloc(1, sizeof(Channel));
        if (!ch)
                return -ENOMEM;
        ch->fd = -EBADF;
        ch->description = strdup(description);
        if (!ch->description)
                return -ENOMEM;

        r = fd_set_nonblock(fd);
        if (r < 0)
                return r;

        r = mux_new(config, &ch->mux);
        if (r < 0)
                return r;
        r = sd_event_add_io(e, &ch->io, fd, EPOLLIN | EPOLLOUT, on_channel_io, ch);
        if (r < 0)
                return r;
        (void) sd_event_source_set_description(ch->io, ch->description);
        r = sd_event_add_post(e, &ch->post, on_channel_post, ch);
        if (r < 0)
                return r;
        ch->fd = fd;

        *ret = TAKE_PTR(ch);
        return 0;
}

Channel *channel_free(Channel *ch) {
        if (!ch)
                return NULL;
        sd_event_source_disable_unref(ch->io);
        sd_event_source_disable_unref(ch->post);
        mux_free(ch->mux);
        safe_close(ch->fd);
        free(ch->description);
        free(ch);
        return NULL;
}

void channel_set_disconnect_handler(Channel *ch, ChannelDisconnectHandler handler, void *userdata) {
        ch->on_disconnect = handler;
        ch->disconnect_userdata = userdata;
}

Mux *channel_get_mux(Channel *ch) {
        return ch->mux;
}

bool channel_is_congested(const Channel *ch) {
        return mux_output_size(ch->mux) > MUX_OUTPUT_HIGH_WATER;
}
