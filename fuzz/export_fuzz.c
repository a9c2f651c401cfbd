/*
 * export_fuzz.c — `caseward verify --dir` reads an export someone handed
 * over (entries.jsonl, personal.jsonl, checkpoint, vkey): any export is
 * verified or refused with a message, never a crash (cw_verify, the
 * directory path in src/ledger/verify.c).
 *
 * The input is entries.jsonl, then, after a line "#personal", personal.jsonl.
 * So that the fuzzer gets past the signature to the entries and the personal
 * parts, the checkpoint is made and signed here, for the input's own whole
 * lines, with a key made at start (its vkey beside it): the check that a
 * forged export fails is the note target's and the tests'; this one is the
 * parsing of what a valid signature covers. CW_FUZZ_VERBOSE prints each outcome.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/merkle.h"
#include "ledger/note.h"
#include "ledger/verify.h"
#include "util/buf.h"
#include "fuzz_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define ORIGIN "fuzz.caseward.example"

static cw_note_signer signer;
static int ready;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    cw_error err;
    const char *tmp = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof fuzz_dir, "%.40s/cw-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fuzz_dir))
        fuzz_die("mkdtemp", NULL);
    atexit(fuzz_remove_dir);
    if (cw_note_signer_generate(ORIGIN, &signer, &err))
        fuzz_die("the key", &err);
    cw_buf vk = CW_BUF_INIT(1024);
    if (cw_note_verifier_format(&signer.v, &vk))
        fuzz_die("the vkey", NULL);
    char path[128];
    snprintf(path, sizeof path, "%s/vkey", fuzz_dir);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(vk.data, 1, vk.len, f) != vk.len || fclose(f))
        fuzz_die("the vkey file", NULL);
    cw_buf_release(&vk);
    ready = 1;
    return 0;
}

static void put(const char *name, const void *p, size_t n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(p, 1, n, f) != n) || fclose(f))
        fuzz_die(name, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ready)
        LLVMFuzzerInitialize(NULL, NULL);
    const char *s = (const char *)data, *end = s + size;
    const char *split = NULL;
    for (const char *p = s; p + 10 <= end; p++)
        if ((p == s || p[-1] == '\n') && !memcmp(p, "#personal\n", 10)) {
            split = p;
            break;
        }
    const char *entries_end = split ? split : end;
    put("entries.jsonl", s, (size_t)(entries_end - s));
    char path[128];
    snprintf(path, sizeof path, "%s/personal.jsonl", fuzz_dir);
    if (split)
        put("personal.jsonl", split + 10, (size_t)(end - split - 10));
    else
        unlink(path);
    /* The checkpoint of the whole lines, as a log would sign it. */
    cw_hasher h;
    cw_merkle_builder b;
    cw_checkpoint cp;
    cw_error err;
    if (cw_hasher_init(&h))
        fuzz_die("SHA-256", NULL);
    cw_merkle_builder_init(&b);
    uint64_t n = 0;
    for (const char *p = s; p < entries_end;) {
        const char *nl = memchr(p, '\n', (size_t)(entries_end - p));
        if (!nl)
            break;
        uint8_t leaf[CW_HASH_LEN];
        if (cw_hash_leaf(&h, p, (size_t)(nl - p), leaf) ||
            cw_merkle_builder_push(&b, &h, leaf, NULL, NULL))
            fuzz_die("hashing", NULL);
        n++;
        p = nl + 1;
    }
    memset(&cp, 0, sizeof cp);
    snprintf(cp.origin, sizeof cp.origin, "%s", ORIGIN);
    cp.size = n;
    if (cw_merkle_builder_root(&b, &h, cp.root))
        fuzz_die("the root", NULL);
    cw_hasher_release(&h);
    cw_buf text = CW_BUF_INIT(4096), note = CW_BUF_INIT(8192);
    if (cw_checkpoint_format(&cp, &text) || cw_note_sign(&signer, text.data, text.len, &note, &err))
        fuzz_die("the checkpoint", NULL);
    put("checkpoint", note.data, note.len);
    cw_buf_release(&text);
    cw_buf_release(&note);

    cw_verify_opts o;
    memset(&o, 0, sizeof o);
    o.dir = fuzz_dir;
    cw_verify_report r;
    memset(&r, 0, sizeof r);
    cw_rc rc = cw_verify(&o, &r, &err);
    if (getenv("CW_FUZZ_VERBOSE"))
        fprintf(stderr, "%s\n", rc ? err.msg : "verified");
    if (rc == CW_OK) {
        if (r.size != n)
            abort(); /* verified, so every line is an entry */
    } else if (!err.msg[0]) {
        abort();
    }
    return 0;
}
