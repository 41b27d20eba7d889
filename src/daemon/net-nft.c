/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* net-nft.c: runs nftables scripts through libnftables, keeping nftables' error text. */
#include <nftables/libnftables.h>

#include "macro.h"
#include "net-nft.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct nft_ctx *, nft_ctx_free);

int net_nft_run(const char *script, char **ret_error) {
        _cleanup_(nft_ctx_freep) struct nft_ctx *ctx = NULL;
        const char *message;

        ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return -ENOMEM;
        if (nft_ctx_buffer_output(ctx) < 0 || nft_ctx_buffer_error(ctx) < 0)
                return -ENOMEM;
        if (nft_run_cmd_from_buffer(ctx, script) == 0)
                return 0;
        if (ret_error) {
                message = nft_ctx_get_error_buffer(ctx);
                *ret_error = strdup(message && *message ? message : "unknown nftables error");
                if (!*ret_error)
                        return -ENOMEM;
        }
        return -EIO;
}
