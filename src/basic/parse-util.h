/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* parse-util.h: pure parsers for the value syntaxes of the configuration: sizes, durations, MAC,
 * IP and CIDR addresses, PCI addresses, colours and interface names. No allocation, no logging.
 * Every parser returns 0 or a negative errno and leaves ret_* untouched on failure. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* "dddd:bb:dd.f" plus NUL. */
#define PCI_ADDRESS_STR_MAX 13
#define MAC_ADDRESS_LEN 6

/* Digits with an optional binary unit k/m/g/t (any case; K = 1024): "10G", "300m", "4096".
 * -EINVAL on bad syntax, -ERANGE if the result does not fit 64 bits. */
int parse_size(const char *s, uint64_t *ret_bytes);

/* Digits followed by one unit: us, ms, s, m (minutes), h. "2s", "500ms". Zero is accepted
 * here; callers decide whether it makes sense. -EINVAL on bad syntax, -ERANGE on overflow. */
int parse_duration(const char *s, uint64_t *ret_usec);

/* Exactly "aa:bb:cc:dd:ee:ff" (hex digits, any case). */
int parse_mac(const char *s, uint8_t ret[MAC_ADDRESS_LEN]);
/* The multicast (I/G) bit: set in the first octet's least significant bit. */
bool mac_is_multicast(const uint8_t mac[MAC_ADDRESS_LEN]);

/* An IPv4 or IPv6 address (inet_pton syntax). family is AF_INET, AF_INET6 or AF_UNSPEC (either);
 * the family found is stored in ret_family (may be NULL). -EAFNOSUPPORT if the address is valid
 * but of the other family. */
int parse_ip_address(const char *s, int family, int *ret_family);
/* "address/prefix" with prefix 0..32 (IPv4) or 0..128 (IPv6); same family rules as above. The
 * address in network byte order goes to ret_address (PARSE_ADDRESS_BYTES, the first 4 for IPv4,
 * the rest zero; may be NULL). */
#define PARSE_ADDRESS_BYTES 16
int parse_cidr(const char *s, int family, int *ret_family, uint8_t *ret_address,
                unsigned *ret_prefix);

/* PCI address "bb:dd.f" or "dddd:bb:dd.f" (hex; device ≤ 1f, function ≤ 7), normalised to
 * lowercase "dddd:bb:dd.f". */
int parse_pci_address(const char *s, char ret[PCI_ADDRESS_STR_MAX]);

/* A CSS colour: a named colour (case-insensitive), "#rgb", "#rrggbb" or "rgb(r,g,b)" with
 * 0..255 components (spaces allowed around them). ret_rgb is 0xRRGGBB. */
int parse_color(const char *s, uint32_t *ret_rgb);

/* A file descriptor number for a command line: decimal, min..INT32_MAX, nothing else. */
int parse_fd(const char *s, int min, int *ret);

/* Whether the kernel would accept s as a network interface name, restricted to printable
 * ASCII: 1..15 characters, not "." or "..", no '/', ':' or whitespace. */
bool ifname_is_valid(const char *s);
