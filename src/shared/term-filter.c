/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* term-filter.c: guest output reduced to text and harmless terminal controls. Pure.
 *
 * Bytes go through a UTF-8 decoder, code points through the VT500-style state machine; printable
 * code points and allowed C0 controls are written at once, a sequence is collected and written
 * whole only when its final byte arrives and it is on the allow list. */
#include <string.h>

#include "macro.h"
#include "term-filter.h"
#include "utf8.h"

#define CP_BEL 0x07
#define CP_CAN 0x18
#define CP_SUB 0x1a
#define CP_ESC 0x1b
#define CP_DEL 0x7f
#define CP_DCS 0x90
#define CP_SOS 0x98
#define CP_CSI 0x9b
#define CP_ST 0x9c
#define CP_OSC 0x9d
#define CP_PM 0x9e
#define CP_APC 0x9f

/* DEC private modes a guest may set and reset: what full-screen programs need, none of which
 * reports anything but keys and mouse events to the program itself, changes fonts or the
 * window, or outlives a terminal reset. */
static const unsigned allowed_dec_modes[] = {
        1,    /* DECCKM application cursor keys */
        7,    /* DECAWM autowrap */
        12,   /* cursor blinking */
        25,   /* DECTCEM cursor visible */
        47,   /* alternate screen */
        1000, /* mouse button reporting */
        1002, /* mouse drag reporting */
        1003, /* mouse motion reporting */
        1004, /* focus in/out events */
        1006, /* SGR mouse encoding */
        1047, /* alternate screen */
        1048, /* save/restore cursor */
        1049, /* alternate screen with saved cursor */
        2004, /* bracketed paste */
};

/* CSI finals allowed without private marker or intermediates, with any parameters. */
#define CSI_PLAIN_FINALS "mABCDEFGHfd`aeJKXLMP@rSIZg"

typedef struct Output {
        uint8_t *p;
        size_t n;
} Output;

static void emit(Output *o, const uint8_t *bytes, size_t n) {
        memcpy(o->p + o->n, bytes, n);
        o->n += n;
}

void term_filter_init(TermFilter *f, bool utf8) {
        *f = (TermFilter){ .utf8 = utf8, .state = TERM_FILTER_GROUND };
}

size_t term_filter_pending(const TermFilter *f) {
        return f->sequence_len + f->partial_len;
}

static void set_state(TermFilter *f, TermFilterState s) {
        f->state = s;
        f->sequence_len = 0;
        f->dropping = false;
}

static void sequence_push(TermFilter *f, uint8_t b) {
        if (f->dropping)
                return;
        if (f->sequence_len == sizeof(f->sequence)) {
                f->dropping = true;
                f->sequence_len = 0;
                return;
        }
        f->sequence[f->sequence_len++] = b;
}

static bool c0_is_allowed(uint32_t cp) {
        return cp == CP_BEL || (cp >= 0x08 && cp <= 0x0d); /* BS HT LF VT FF CR */
}

/* Parameters "Pn;Pn…": each a number of at most 5 digits; returns how many, or -1 when
 * malformed. Without out, only counts. */
static int parse_params(const uint8_t *s, size_t n, unsigned *out, size_t out_max) {
        size_t count = 0, digits = 0;
        unsigned value = 0;

        if (n == 0)
                return 0;
        for (size_t i = 0; i <= n; i++) {
                if (i == n || s[i] == ';') {
                        if (digits == 0)
                                return -1;
                        if (out) {
                                if (count == out_max)
                                        return -1;
                                out[count] = value;
                        }
                        count++;
                        digits = value = 0;
                } else if (s[i] >= '0' && s[i] <= '9' && digits < 5) {
                        value = value * 10 + (unsigned) (s[i] - '0');
                        digits++;
                } else
                        return -1;
        }
        return (int) count;
}

static bool dec_mode_is_allowed(unsigned mode) {
        for (size_t i = 0; i < ELEMENTSOF(allowed_dec_modes); i++)
                if (allowed_dec_modes[i] == mode)
                        return true;
        return false;
}

static bool dec_modes_are_allowed(const uint8_t *params, size_t n) {
        unsigned modes[TERM_FILTER_SEQUENCE_MAX / 2];
        int count = parse_params(params, n, modes, ELEMENTSOF(modes));

        if (count <= 0)
                return false;
        for (int i = 0; i < count; i++)
                if (!dec_mode_is_allowed(modes[i]))
                        return false;
        return true;
}

/* seq is ESC '[' [marker] params intermediates final. */
static bool csi_is_allowed(const uint8_t *seq, size_t len) {
        size_t i = 2, params_start, params_len, intermediates = 0;
        uint8_t marker = 0, intermediate = 0, final = seq[len - 1];
        int count;

        if (i < len - 1 && strchr("<=>?", seq[i]))
                marker = seq[i++];
        params_start = i;
        while (i < len - 1 && ((seq[i] >= '0' && seq[i] <= '9') || seq[i] == ';' || seq[i] == ':'))
                i++;
        params_len = i - params_start;
        while (i < len - 1 && seq[i] >= 0x20 && seq[i] <= 0x2f) {
                intermediate = seq[i++];
                intermediates++;
        }
        if (i != len - 1)
                return false; /* a marker or parameter after its place */

        if (marker == '?')
                return intermediates == 0 && IN_SET(final, 'h', 'l') &&
                       dec_modes_are_allowed(seq + params_start, params_len);
        if (marker != 0)
                return false;
        if (final == 'm' && intermediates == 0)
                return true; /* SGR: the only one with ':' sub-parameters */
        count = parse_params(seq + params_start, params_len, NULL, 0);
        if (count < 0)
                return false;
        if (intermediates == 1 && intermediate == ' ')
                return final == 'q' && count <= 1; /* DECSCUSR */
        if (intermediates != 0)
                return false;
        if (final == 'T')
                return count <= 1; /* with 5 parameters: xterm's mouse highlight tracking */
        if (IN_SET(final, 'h', 'l')) {
                unsigned mode;

                return parse_params(seq + params_start, params_len, &mode, 1) == 1 && mode == 4;
        }
        if (IN_SET(final, 's', 'u'))
                return count == 0;
        return strchr(CSI_PLAIN_FINALS, final) != NULL;
}

/* seq is ESC [intermediate] final. */
static bool escape_is_allowed(const uint8_t *seq, size_t len) {
        if (len == 2)
                return strchr("78=>DEMH", seq[1]) != NULL;
        return len == 3 && strchr("()", seq[1]) && strchr("B0A", seq[2]);
}

/* The sequence ended: written if it is whole (not being dropped) and allowed by check. */
static void dispatch(TermFilter *f, Output *o, bool (*check)(const uint8_t *seq, size_t len)) {
        if (!f->dropping && check(f->sequence, f->sequence_len))
                emit(o, f->sequence, f->sequence_len);
        set_state(f, TERM_FILTER_GROUND);
}

/* The VT500 transitions from any state on C1 controls: all of them are dropped, and whatever
 * they introduce is dropped with them. */
static void on_c1(TermFilter *f, uint32_t cp) {
        switch (cp) {
        case CP_DCS:
        case CP_SOS:
        case CP_PM:
        case CP_APC:
                set_state(f, TERM_FILTER_STRING);
                break;
        case CP_OSC:
                set_state(f, TERM_FILTER_OSC_STRING);
                break;
        case CP_CSI:
                set_state(f, TERM_FILTER_CSI);
                f->dropping = true;
                break;
        default: /* ST and the rest: end whatever runs */
                set_state(f, TERM_FILTER_GROUND);
        }
}

/* An ASCII byte 0x20..0x7e inside an escape sequence. */
static void on_escape_byte(TermFilter *f, Output *o, uint8_t c) {
        switch (c) {
        case '[':
                sequence_push(f, c);
                f->state = TERM_FILTER_CSI;
                return;
        case ']':
                set_state(f, TERM_FILTER_OSC_STRING);
                return;
        case 'P':
        case 'X':
        case '^':
        case '_':
                set_state(f, TERM_FILTER_STRING);
                return;
        }
        sequence_push(f, c);
        if (c <= 0x2f)
                f->state = TERM_FILTER_ESCAPE_INTERMEDIATE;
        else
                dispatch(f, o, escape_is_allowed);
}

static void on_sequence_byte(TermFilter *f, Output *o, uint8_t c) {
        switch (f->state) {
        case TERM_FILTER_ESCAPE:
                on_escape_byte(f, o, c);
                return;
        case TERM_FILTER_ESCAPE_INTERMEDIATE:
                sequence_push(f, c);
                if (c >= 0x30)
                        dispatch(f, o, escape_is_allowed);
                return;
        default: /* CSI: 0x20..0x3f collect, 0x40..0x7e end it */
                sequence_push(f, c);
                if (c >= 0x40)
                        dispatch(f, o, csi_is_allowed);
                return;
        }
}

/* One decoded code point; bytes/n are its encoding in the input. */
static void on_code_point(TermFilter *f, Output *o, uint32_t cp, const uint8_t *bytes, size_t n) {
        bool in_string = IN_SET(f->state, TERM_FILTER_OSC_STRING, TERM_FILTER_STRING);

        if (cp == CP_ESC) {
                set_state(f, TERM_FILTER_ESCAPE); /* drops any unfinished sequence */
                sequence_push(f, CP_ESC);
                return;
        }
        if (cp == CP_CAN || cp == CP_SUB) {
                set_state(f, TERM_FILTER_GROUND);
                return;
        }
        if (cp >= 0x80 && cp <= 0x9f) {
                on_c1(f, cp);
                return;
        }
        if (in_string) {
                if (f->state == TERM_FILTER_OSC_STRING && cp == CP_BEL)
                        set_state(f, TERM_FILTER_GROUND);
                return;
        }
        /* C0 controls act at once even inside a sequence, as on a VT500. */
        if (cp < 0x20) {
                if (c0_is_allowed(cp))
                        emit(o, bytes, n);
                return;
        }
        if (cp == CP_DEL)
                return;
        if (f->state == TERM_FILTER_GROUND) {
                if (cp < 0x80 || f->utf8)
                        emit(o, bytes, n);
                return;
        }
        if (cp >= 0x80) {
                /* Not part of any sequence's grammar: the sequence is refused. */
                if (f->state == TERM_FILTER_CSI)
                        f->dropping = true;
                else
                        set_state(f, TERM_FILTER_GROUND);
                return;
        }
        on_sequence_byte(f, o, (uint8_t) cp);
}

/* Whether b can follow the partial character: continuation bytes, restricted after E0, ED, F0
 * and F4 so that overlong forms, surrogates and values past U+10FFFF fail at once. */
static bool continuation_fits(const TermFilter *f, uint8_t b) {
        uint8_t lo = 0x80, hi = 0xbf;

        if (f->partial_len == 1)
                switch (f->partial[0]) {
                case 0xe0:
                        lo = 0xa0;
                        break;
                case 0xed:
                        hi = 0x9f;
                        break;
                case 0xf0:
                        lo = 0x90;
                        break;
                case 0xf4:
                        hi = 0x8f;
                        break;
                }
        return b >= lo && b <= hi;
}

static size_t utf8_length_from_lead(uint8_t b) {
        if (b >= 0xc2 && b <= 0xdf)
                return 2;
        if (b >= 0xe0 && b <= 0xef)
                return 3;
        if (b >= 0xf0 && b <= 0xf4)
                return 4;
        return 0;
}

static void on_byte(TermFilter *f, Output *o, uint8_t b) {
        uint32_t cp;

        if (f->partial_len > 0) {
                if (!continuation_fits(f, b)) {
                        f->partial_len = 0; /* the broken character is dropped */
                        if (b >= 0x80 && b <= 0xbf)
                                return; /* a stray continuation byte: dropped too */
                } else {
                        f->partial[f->partial_len++] = b;
                        if (f->partial_len < f->partial_need)
                                return;
                        f->partial_len = 0;
                        if (utf8_decode((const char *) f->partial, f->partial_need, &cp) > 0)
                                on_code_point(f, o, cp, f->partial, f->partial_need);
                        return;
                }
        }
        if (b < 0x80 || !f->utf8) {
                on_code_point(f, o, b, &b, 1);
                return;
        }
        f->partial_need = utf8_length_from_lead(b);
        if (f->partial_need > 0)
                f->partial[f->partial_len++] = b;
        /* else: not a lead byte, dropped */
}

size_t term_filter_feed(TermFilter *f, const uint8_t *untrusted_in, size_t n, uint8_t *ret_out) {
        Output o = { .p = ret_out };

        for (size_t i = 0; i < n;) {
                size_t run = 0;

                /* Fast path: printable ASCII in the ground state is copied as a run. */
                if (f->state == TERM_FILTER_GROUND && f->partial_len == 0)
                        while (i + run < n && untrusted_in[i + run] >= 0x20 &&
                                        untrusted_in[i + run] < CP_DEL)
                                run++;
                if (run > 0) {
                        emit(&o, untrusted_in + i, run);
                        i += run;
                } else
                        on_byte(f, &o, untrusted_in[i++]);
        }
        return o.n;
}

bool term_filter_locale_is_utf8(const char *lc_all, const char *lc_ctype, const char *lang) {
        const char *v = lc_all && lc_all[0] ? lc_all : lc_ctype && lc_ctype[0] ? lc_ctype : lang;

        return v && (strcasestr(v, "UTF-8") || strcasestr(v, "UTF8"));
}
