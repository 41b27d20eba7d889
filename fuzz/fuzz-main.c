/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-main.c: a plain main() for fuzz targets built without libFuzzer: runs
 * LLVMFuzzerTestOneInput() once per file named on the command line, or per regular file inside
 * a named directory (as systemd's src/fuzz/fuzz-main.c), so every corpus entry and reproducer is
 * replayed by `meson test`. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "macro.h"

/* Larger than any target accepts, so the target's own size check is what gets exercised. */
#define FUZZ_INPUT_MAX (4u * 1024u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fclosep(FILE **f) {
        if (*f)
                (void) fclose(*f);
}

static int run_file(const char *path) {
        _cleanup_(fclosep) FILE *f = NULL;
        _cleanup_(freep) uint8_t *buf = NULL;
        size_t n;

        f = fopen(path, "re");
        if (!f)
                return -errno;
        buf = malloc(FUZZ_INPUT_MAX);
        if (!buf)
                return -ENOMEM;
        n = fread(buf, 1, FUZZ_INPUT_MAX, f);
        if (ferror(f))
                return -EIO;
        /* Copy to an exact-size allocation so ASan catches reads past the input. */
        uint8_t *exact = malloc(n ? n : 1);
        if (!exact)
                return -ENOMEM;
        memcpy(exact, buf, n);
        (void) LLVMFuzzerTestOneInput(exact, n);
        free(exact);
        return 0;
}

static int run_dir(const char *path, size_t *count) {
        struct dirent **entries = NULL;
        int n, r = 0;

        n = scandir(path, &entries, NULL, alphasort);
        if (n < 0)
                return -errno;
        for (int i = 0; i < n; i++) {
                char *child = NULL;
                struct stat st;

                if (r >= 0 && entries[i]->d_name[0] != '.' &&
                                asprintf(&child, "%s/%s", path, entries[i]->d_name) >= 0 &&
                                stat(child, &st) >= 0 && S_ISREG(st.st_mode)) {
                        r = run_file(child);
                        if (r < 0)
                                fprintf(stderr, "%s: %s\n", child, strerror(-r));
                        else
                                (*count)++;
                }
                free(child);
                free(entries[i]);
        }
        free(entries);
        return r;
}

int main(int argc, char *argv[]) {
        size_t count = 0;
        int r;

        for (int i = 1; i < argc; i++) {
                struct stat st;

                if (stat(argv[i], &st) < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                        return EXIT_FAILURE;
                }
                if (S_ISDIR(st.st_mode))
                        r = run_dir(argv[i], &count);
                else {
                        r = run_file(argv[i]);
                        count += r >= 0;
                }
                if (r < 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(-r));
                        return EXIT_FAILURE;
                }
        }
        printf("%zu inputs replayed\n", count);
        return count > 0 ? EXIT_SUCCESS : 77; /* no corpus: skipped, never a silent pass */
}
