/*
 * driver.c — runs a fuzz target's LLVMFuzzerTestOneInput once on each file
 * given, or on each file in each folder given, without libFuzzer: the short
 * pass of `make test` (CMakeLists.txt builds NAME_replay from fuzz/NAME_fuzz.c
 * and this file, and runs it on fuzz/corpus/NAME and fuzz/regress/NAME), in
 * the plain build and under ASan and UBSan. A folder that does not exist is
 * skipped; a crash, a sanitizer report or a target's own abort() fails it.
 * Prints how many inputs it ran; exits 1 if it ran none.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/buf.h"
#include "util/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned long run_file(const char *path)
{
    cw_buf b = CW_BUF_INIT((size_t)16 << 20);
    cw_error err;
    if (cw_file_read(path, &b, &err) != CW_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        exit(1);
    }
    /* A copy of exactly its size, so that ASan sees a read past the end. */
    uint8_t *copy = malloc(b.len ? b.len : 1);
    if (!copy)
        exit(1);
    if (b.len)
        memcpy(copy, b.data, b.len);
    LLVMFuzzerTestOneInput(copy, b.len);
    free(copy);
    cw_buf_release(&b);
    return 1;
}

static unsigned long run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **g = realloc(names, cap * sizeof *names);
            if (!g)
                exit(1);
            names = g;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(len)))
            exit(1);
        snprintf(names[n++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    unsigned long ran = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            ran += run_file(names[i]);
        free(names[i]);
    }
    free(names);
    return ran;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    unsigned long ran = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0)
            continue;
        ran += S_ISDIR(st.st_mode) ? run_dir(argv[i]) : run_file(argv[i]);
    }
    printf("%s: %lu inputs\n", argv[0], ran);
    return ran ? 0 : 1;
}
