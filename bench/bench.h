/*
 * bench.h — what every benchmark needs (header-only: each benchmark is one
 * program built from one .c file). Define BENCH_NAME ("rules_bench") first.
 */
#ifndef CW_BENCH_BENCH_H
#define CW_BENCH_BENCH_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "util/error.h"

#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench.h"
#endif

/* Seconds on the monotonic clock. */
static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noreturn)) static inline void die(const char *what, const cw_error *err)
{
    fprintf(stderr, BENCH_NAME ": %s: %s\n", what, err ? err->msg : "failed");
    exit(1);
}

/* The demo generator's progress, as a line for a person watching (ctx: the start, now_s()). */
static inline void bench_progress(void *ctx, uint64_t done, uint64_t total, uint64_t events)
{
    double *t0 = ctx;
    fprintf(stderr,
            "\r  generating: %" PRIu64 "/%" PRIu64 " children, %" PRIu64 " events, %.0f s   ", done,
            total, events, now_s() - *t0);
}

#endif
