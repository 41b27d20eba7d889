/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* term-filter.h: a streaming filter that lets guest output reach the host's terminal emulator
 * only as text and harmless control sequences. Pure: no I/O, no allocation.
 *
 * The parser follows the ECMA-48 / DEC VT500 state machine (ground, escape, CSI, OSC and the
 * DCS/SOS/PM/APC strings, with the "anywhere" transitions on CAN, SUB, ESC and C1), over code
 * points: bytes are UTF-8-decoded first, so U+0080..U+009F are C1 controls and continuation
 * bytes are never mistaken for them. What passes:
 *   - printable text; in UTF-8 mode valid UTF-8 (invalid bytes are dropped), otherwise ASCII
 *   - BEL, BS, HT, LF, VT, FF, CR (BEL only rings or marks the window urgent; it is dropped
 *     inside OSC, where it is a terminator)
 *   - ESC 7 / 8 (save/restore cursor), ESC = / > (keypad), ESC D / E / M / H (index, next
 *     line, reverse index, tab set), ESC ( / ) with B, 0 or A (character sets)
 *   - CSI without private marker or intermediates ending in m (SGR), A-G, H, f, d, `, a, e
 *     (cursor), J, K, X (erase), L, M, P, @ (insert/delete), r (scroll region), S, T (scroll;
 *     T with at most one parameter), I, Z, g (tabs), h/l with mode 4 only (insert), s/u without
 *     parameters (save/restore cursor); CSI Ps SP q (cursor shape)
 *   - CSI ? Pm h/l when every mode is in the list of term-filter.c: cursor keys, wrap, cursor
 *     blink/visibility, alternate screen, mouse reporting (1000/1002/1003/1006), focus events,
 *     bracketed paste
 * Everything else is dropped whole, from its introducer to its end: every OSC (titles and
 * clipboard writes included), DCS, SOS, PM, APC, every C1 control and whatever a C1 introducer
 * starts, other C0 controls (ENQ answerback, SO/SI…), report requests (CSI n, c, x, t, $p…),
 * keyboard and font changes, and any unknown or malformed sequence. A sequence is emitted only
 * once its final byte arrived, as one piece, so output is made of whole units and never more
 * than the input. Memory is fixed: a sequence longer than TERM_FILTER_SEQUENCE_MAX is dropped,
 * and the dropped strings are skipped, not stored. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The bytes of one escape or control sequence held until its final byte. */
#define TERM_FILTER_SEQUENCE_MAX 256
/* At most this many input bytes are held back between calls (a sequence + a partial UTF-8
 * character): term_filter_feed() of n bytes writes at most n + TERM_FILTER_PENDING_MAX. */
#define TERM_FILTER_PENDING_MAX (TERM_FILTER_SEQUENCE_MAX + 3)

typedef enum TermFilterState {
        TERM_FILTER_GROUND,
        TERM_FILTER_ESCAPE,
        TERM_FILTER_ESCAPE_INTERMEDIATE,
        TERM_FILTER_CSI,
        TERM_FILTER_OSC_STRING, /* ends at BEL or ST */
        TERM_FILTER_STRING,     /* DCS, SOS, PM, APC: ends at ST */
} TermFilterState;

typedef struct TermFilter {
        bool utf8; /* the terminal decodes UTF-8; otherwise only ASCII passes */
        TermFilterState state;
        bool dropping; /* the current sequence is refused or too long: swallow it up to its end */
        uint8_t sequence[TERM_FILTER_SEQUENCE_MAX];
        size_t sequence_len;
        uint8_t partial[4]; /* a UTF-8 character still missing bytes */
        size_t partial_len, partial_need;
} TermFilter;

void term_filter_init(TermFilter *f, bool utf8);
/* Filters n bytes of guest output into ret_out, which has room for n + TERM_FILTER_PENDING_MAX
 * bytes, and returns how many it wrote. Chunks may split anything anywhere: feeding a stream in
 * pieces gives the same output as feeding it at once. */
size_t term_filter_feed(TermFilter *f, const uint8_t *untrusted_in, size_t n, uint8_t *ret_out);
/* Input bytes held back for the next call (output or dropped then); <= TERM_FILTER_PENDING_MAX. */
size_t term_filter_pending(const TermFilter *f);

/* Whether the user's locale says the terminal decodes UTF-8, by the rule tmux uses: the first
 * of LC_ALL, LC_CTYPE and LANG that is set and non-empty names "UTF-8" or "UTF8" in any case.
 * Pure: the caller passes getenv()'s results (NULL for unset). */
bool term_filter_locale_is_utf8(const char *lc_all, const char *lc_ctype, const char *lang);
