/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-nft.h: running nftables scripts through libnftables (no nft binary). */
#pragma once

/* Runs script as one transaction. On failure returns -EIO (or -ENOMEM) and, if ret_error is not
 * NULL, nftables' message in *ret_error (caller frees). */
int net_nft_run(const char *script, char **ret_error);
