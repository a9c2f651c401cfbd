/*
 * note_test.c — tests of ledger/note.h: c2sp.org/signed-note with Ed25519
 * keys and the c2sp.org/tlog-checkpoint body.
 *
 * Known answers: the C2SP signed-note example, the deterministic vector of
 * golang.org/x/mod/sumdb/note (TestSign, TestOpen, with its malformed notes),
 * the C2SP tlog-checkpoint example, and a checkpoint of the 8-leaf
 * Certificate Transparency test tree signed with a fixed test key.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger/note.h"
#include "util/buf.h"

#define EMDASH "\xe2\x80\x94"
#define BUFMAX (1u << 20)

/* C2SP signed-note example. */
static const char c2sp_vkey[] =
    "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
static const char c2sp_text[] = "This is an example message.\n";
static const char c2sp_note[] = "This is an example message.\n"
                                "\n" EMDASH " example.com/foo "
                                "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOB"
                                "H3mFXmRKuwHjG1Yu72IneyaQM=\n";

/* golang.org/x/mod/sumdb/note test vectors. */
static const char peter_skey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char peter_vkey[] =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char peter_text[] = "If you think cryptography is the answer to your problem,\n"
                                 "then you don't know what your problem is.\n";
static const char peter_sig[] =
    EMDASH " PeterNeumann "
           "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZ"
           "SNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
static const char enoch_vkey[] = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
static const char enoch_sig[] =
    EMDASH " EnochRoot "
           "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5"
           "ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

/* Checkpoint of the 8-leaf CT test tree with a fixed test key. */
static const char csc_skey[] =
    "PRIVATE+KEY+example.com/csc-test-log+24e93c32+Ac14PQ4q/550Sg08FyZLK0v6ojWeJQGfH6e5Dh9uH2X0";
static const char csc_vkey[] =
    "example.com/csc-test-log+24e93c32+AUHIWZ48nqyzmrW/QnGKr+etxCLDFP5MGjnqwiUm4tMR";
static const char csc_root_hex[] =
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";
static const char csc_text[] = "example.com/csc-test-log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/"
                               "RgQyg=\n";
static const char csc_note[] =
    "example.com/csc-test-log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
    "\n" EMDASH " example.com/csc-test-log "
    "JOk8Mi8LLduOypnO6OAXSX9n/v8F0s0DeW/"
    "2tsoXmkuuJS9Yh0OrwR2pf5nN3I4bR4QNt95+Wq3hBlDnouwH40NyAQo=\n";

/* ---------------------------------------------------------------------- */
/* Helpers                                                                */

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    assert_int_equal(strlen(hex), 2 * n);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* Checks the cw_error contract for a failure: code set, one-line message. */
static void check_err(cw_rc rc, const cw_error *err)
{
    if (rc == CW_OK)
        return;
    assert_int_equal(err->code, rc);
    assert_true(strlen(err->msg) > 0);
    assert_null(strchr(err->msg, '\n'));
}

static cw_rc open_note(const cw_note_verifier *v, const char *note, size_t len, size_t *text_len)
{
    cw_error err = {0};
    size_t tl = (size_t)-1;
    cw_rc rc = cw_note_open(v, note, len, &tl, &err);
    check_err(rc, &err);
    if (text_len)
        *text_len = tl;
    return rc;
}

static cw_rc open_str(const cw_note_verifier *v, const char *note)
{
    return open_note(v, note, strlen(note), NULL);
}

static void parse_vkey(const char *vkey, cw_note_verifier *v)
{
    cw_error err = {0};
    memset(v, 0, sizeof *v);
    cw_rc rc = cw_note_verifier_parse(vkey, strlen(vkey), v, &err);
    if (rc)
        fail_msg("parsing %s: %s", vkey, err.msg);
}

static cw_rc vkey_rc(const char *vkey)
{
    cw_note_verifier v;
    cw_error err = {0};
    cw_rc rc = cw_note_verifier_parse(vkey, strlen(vkey), &v, &err);
    check_err(rc, &err);
    return rc;
}

static cw_rc skey_rc(const char *skey)
{
    cw_note_signer s;
    cw_error err = {0};
    cw_rc rc = cw_note_signer_parse(skey, strlen(skey), &s, &err);
    check_err(rc, &err);
    return rc;
}

static void parse_skey(const char *skey, cw_note_signer *s)
{
    cw_error err = {0};
    memset(s, 0, sizeof *s);
    cw_rc rc = cw_note_signer_parse(skey, strlen(skey), s, &err);
    if (rc)
        fail_msg("parsing %s: %s", skey, err.msg);
}

/* A note made of parts; returns a cw_buf the caller releases. */
static cw_buf cat(const char *a, const char *b, const char *c)
{
    cw_buf out;
    cw_buf_init(&out, BUFMAX);
    assert_int_equal(cw_buf_addstr(&out, a), CW_OK);
    assert_int_equal(cw_buf_addstr(&out, b), CW_OK);
    assert_int_equal(cw_buf_addstr(&out, c), CW_OK);
    return out;
}

static cw_rc name_rc(const char *name)
{
    cw_error err = {0};
    cw_rc rc = cw_note_check_name(name, &err);
    check_err(rc, &err);
    return rc;
}

static cw_rc checkpoint_rc(const char *text, cw_checkpoint *c)
{
    cw_error err = {0};
    cw_rc rc = cw_checkpoint_parse(text, strlen(text), c, &err);
    check_err(rc, &err);
    return rc;
}

static int group_setup(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------------- */
/* Known answers                                                          */

static void test_c2sp_example(void **state)
{
    (void)state;
    cw_note_verifier v;
    size_t tl = 0;
    parse_vkey(c2sp_vkey, &v);
    assert_string_equal(v.name, "example.com/foo");
    const uint8_t id[4] = {0x53, 0x0d, 0x90, 0x3a};
    assert_memory_equal(v.key_id, id, 4);

    assert_int_equal(open_note(&v, c2sp_note, strlen(c2sp_note), &tl), CW_OK);
    assert_int_equal(tl, strlen(c2sp_text));
    assert_memory_equal(c2sp_note, c2sp_text, tl);

    /* The vkey formats back to itself; a trailing newline is tolerated. */
    cw_buf out;
    cw_buf_init(&out, BUFMAX);
    assert_int_equal(cw_note_verifier_format(&v, &out), CW_OK);
    assert_string_equal(out.data, c2sp_vkey);
    cw_buf_release(&out);
    cw_note_verifier v2;
    char withnl[sizeof c2sp_vkey + 1];
    snprintf(withnl, sizeof withnl, "%s\n", c2sp_vkey);
    parse_vkey(withnl, &v2);
    assert_memory_equal(&v2.public_key, &v.public_key, 32);
}

static void test_go_sign_vector(void **state)
{
    (void)state;
    cw_note_signer s;
    cw_note_verifier v;
    cw_error err = {0};
    parse_skey(peter_skey, &s);
    parse_vkey(peter_vkey, &v);
    assert_string_equal(s.v.name, "PeterNeumann");
    assert_memory_equal(s.v.key_id, v.key_id, 4);
    assert_memory_equal(s.v.public_key, v.public_key, 32);

    /* Deterministic Ed25519: exactly Go's signed note, appended to out. */
    cw_buf out, want = cat("prefix:", peter_text, "\n");
    assert_int_equal(cw_buf_addstr(&want, peter_sig), CW_OK);
    cw_buf_init(&out, BUFMAX);
    assert_int_equal(cw_buf_addstr(&out, "prefix:"), CW_OK);
    assert_int_equal(cw_note_sign(&s, peter_text, strlen(peter_text), &out, &err), CW_OK);
    assert_int_equal(out.len, want.len);
    assert_memory_equal(out.data, want.data, want.len);

    /* Keys format back to the vectors. */
    cw_buf key;
    cw_buf_init(&key, BUFMAX);
    assert_int_equal(cw_note_verifier_format(&s.v, &key), CW_OK);
    assert_string_equal(key.data, peter_vkey);
    cw_buf_reset(&key);
    assert_int_equal(cw_note_signer_format(&s, &key), CW_OK);
    assert_string_equal(key.data, peter_skey);
    cw_buf_release(&key);

    /* The note opens with the vkey; the text is everything before the
     * blank line. */
    size_t tl = 0;
    const char *note = out.data + strlen("prefix:");
    size_t len = out.len - strlen("prefix:");
    assert_int_equal(open_note(&v, note, len, &tl), CW_OK);
    assert_int_equal(tl, strlen(peter_text));

    /* Release wipes the secret key. */
    cw_note_signer_release(&s);
    const uint8_t zero[64] = {0};
    assert_memory_equal(s.secret_key, zero, 64);
    cw_buf_release(&out);
    cw_buf_release(&want);
}

static void test_go_open_two_signers(void **state)
{
    (void)state;
    cw_note_verifier peter, enoch, other;
    parse_vkey(peter_vkey, &peter);
    parse_vkey(enoch_vkey, &enoch);
    parse_vkey(c2sp_vkey, &other);
    size_t tl = 0;

    cw_buf n = cat(peter_text, "\n", peter_sig);
    assert_int_equal(cw_buf_addstr(&n, enoch_sig), CW_OK);
    assert_int_equal(open_note(&enoch, n.data, n.len, &tl), CW_OK);
    assert_int_equal(tl, strlen(peter_text));
    /* Enoch's signature is unknown to Peter's verifier: ignored. */
    tl = 0;
    assert_int_equal(open_note(&peter, n.data, n.len, &tl), CW_OK);
    assert_int_equal(tl, strlen(peter_text));
    /* Neither is example.com/foo. */
    assert_int_equal(open_note(&other, n.data, n.len, NULL), CW_EVERIFY);
    cw_buf_release(&n);

    /* The other order. */
    n = cat(peter_text, "\n", enoch_sig);
    assert_int_equal(cw_buf_addstr(&n, peter_sig), CW_OK);
    assert_int_equal(open_note(&peter, n.data, n.len, NULL), CW_OK);
    assert_int_equal(open_note(&enoch, n.data, n.len, NULL), CW_OK);
    cw_buf_release(&n);

    /* Signed by Enoch only: Peter's verifier finds no signature. */
    n = cat(peter_text, "\n", enoch_sig);
    assert_int_equal(open_note(&peter, n.data, n.len, NULL), CW_EVERIFY);
    assert_int_equal(open_note(&enoch, n.data, n.len, NULL), CW_OK);
    cw_buf_release(&n);
}

static void test_checkpoint_vector(void **state)
{
    (void)state;
    cw_note_signer s;
    cw_note_verifier v;
    cw_checkpoint c, back;
    cw_error err = {0};
    parse_skey(csc_skey, &s);
    parse_vkey(csc_vkey, &v);
    assert_memory_equal(s.v.public_key, v.public_key, 32);

    memset(&c, 0, sizeof c);
    snprintf(c.origin, sizeof c.origin, "%s", "example.com/csc-test-log");
    c.size = 8;
    unhex(csc_root_hex, c.root, CW_HASH_LEN);

    cw_buf text, note;
    cw_buf_init(&text, BUFMAX);
    cw_buf_init(&note, BUFMAX);
    assert_int_equal(cw_checkpoint_format(&c, &text), CW_OK);
    assert_string_equal(text.data, csc_text);
    assert_int_equal(cw_note_sign(&s, text.data, text.len, &note, &err), CW_OK);
    assert_int_equal(note.len, strlen(csc_note));
    assert_string_equal(note.data, csc_note);

    size_t tl = 0;
    assert_int_equal(open_note(&v, note.data, note.len, &tl), CW_OK);
    assert_int_equal(tl, strlen(csc_text));

    memset(&back, 0x5a, sizeof back);
    assert_int_equal(cw_checkpoint_parse(note.data, tl, &back, &err), CW_OK);
    assert_string_equal(back.origin, "example.com/csc-test-log");
    assert_int_equal(back.size, 8);
    assert_memory_equal(back.root, c.root, CW_HASH_LEN);

    /* Another log's key does not open it. */
    cw_note_verifier peter;
    parse_vkey(peter_vkey, &peter);
    assert_int_equal(open_note(&peter, note.data, note.len, NULL), CW_EVERIFY);

    cw_note_signer_release(&s);
    cw_buf_release(&text);
    cw_buf_release(&note);
}

static void test_checkpoint_c2sp_example(void **state)
{
    (void)state;
    /* tlog-checkpoint's example; no key is published, so parse only. */
    static const char note[] =
        "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        "\n" EMDASH " example.com/behind-the-sofa "
        "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+"
        "xeMcTOAYQ8=\n";
    cw_checkpoint c;
    cw_note_verifier v;
    parse_vkey(c2sp_vkey, &v);
    /* Well formed, but not signed by this key. */
    assert_int_equal(open_str(&v, note), CW_EVERIFY);

    const char *blank = strstr(note, "\n\n");
    assert_non_null(blank);
    size_t tl = (size_t)(blank - note) + 1;
    cw_error err = {0};
    assert_int_equal(cw_checkpoint_parse(note, tl, &c, &err), CW_OK);
    assert_string_equal(c.origin, "example.com/behind-the-sofa");
    assert_int_equal(c.size, 20852163);
    uint8_t root[CW_HASH_LEN];
    unhex("0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62", root, CW_HASH_LEN);
    assert_memory_equal(c.root, root, CW_HASH_LEN);

    /* Extension lines after the root are allowed. */
    cw_buf t = cat("example.com/behind-the-sofa\n20852163\n"
                   "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
                   "extension one\n", "extension two\n");
    assert_int_equal(cw_checkpoint_parse(t.data, t.len, &c, &err), CW_OK);
    assert_int_equal(c.size, 20852163);
    cw_buf_release(&t);
}

/* ---------------------------------------------------------------------- */
/* Malformed and unverifiable notes                                       */

static void test_go_malformed(void **state)
{
    (void)state;
    cw_note_verifier v;
    parse_vkey(peter_vkey, &v);
    cw_buf n;

    /* The good note, for contrast. */
    n = cat(peter_text, "\n", peter_sig);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_OK);
    cw_buf_release(&n);

    /* Text alone: no blank line, no signatures. */
    assert_int_equal(open_str(&v, peter_text), CW_EINVAL);
    /* Text and blank line, no signatures. */
    n = cat(peter_text, "\n", "");
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EINVAL);
    cw_buf_release(&n);
    /* Last signature line without its final newline. */
    n = cat(peter_text, "\n", peter_sig);
    assert_int_equal(open_note(&v, n.data, n.len - 1, NULL), CW_EINVAL);
    cw_buf_release(&n);
    /* Text and signature without the blank line between. */
    n = cat(peter_text, peter_sig, "");
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EINVAL);
    cw_buf_release(&n);
    /* A leading control byte; a leading byte that is not UTF-8. */
    n = cat("\x01", peter_text, "\n");
    assert_int_equal(cw_buf_addstr(&n, peter_sig), CW_OK);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EINVAL);
    cw_buf_release(&n);
    n = cat("\xff", peter_text, "\n");
    assert_int_equal(cw_buf_addstr(&n, peter_sig), CW_OK);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EINVAL);
    cw_buf_release(&n);
    /* A key name with a space (Go's case has no final newline; with one too). */
    static const char bad_name[] =
        EMDASH " Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqd"
               "ngotpRZb6KE6RyyBwJnAM=";
    n = cat(peter_text, "\n", bad_name);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EINVAL);
    assert_int_equal(cw_buf_addc(&n, '\n'), CW_OK);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EINVAL);
    cw_buf_release(&n);
    /* A good signature followed by one with a bad name. */
    n = cat(peter_text, "\n", peter_sig);
    assert_int_equal(cw_buf_addstr(&n, bad_name), CW_OK);
    assert_int_equal(cw_buf_addc(&n, '\n'), CW_OK);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EINVAL);
    cw_buf_release(&n);
    /* A line after the signatures that is not a signature. */
    n = cat(peter_text, "\n", peter_sig);
    assert_int_equal(cw_buf_addstr(&n, "Unexpected line.\n"), CW_OK);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EINVAL);
    cw_buf_release(&n);
}

static void test_malformed_signature_lines(void **state)
{
    (void)state;
    cw_note_verifier v;
    parse_vkey(peter_vkey, &v);
    static const char b64[] =
        "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqd"
        "ngotpRZb6KE6RyyBwJnAM=";
    /* "@" stands for the base64 of Peter's signature, "#" for its first 82
     * characters. */
    const char *bad[] = {
        "-- PeterNeumann @\n",                  /* not an em dash */
        "\xe2\x80\x93 PeterNeumann @\n",        /* en dash */
        EMDASH "PeterNeumann @\n",              /* no space after the dash */
        EMDASH "  PeterNeumann @\n",            /* empty name */
        EMDASH " PeterNeumann  @\n",            /* two spaces */
        EMDASH " PeterNeumann @ \n",            /* trailing space */
        EMDASH " PeterNeumann\n",               /* no signature */
        EMDASH " PeterNeumann \n",              /* empty signature */
        EMDASH " Peter+Neumann @\n",            /* '+' in the name */
        EMDASH " Peter\tNeumann @\n",           /* a control byte in the name */
        EMDASH " Peter\xffNeumann @\n",         /* not UTF-8 */
        EMDASH " Peter\xe2\x80Neumann @\n",     /* not UTF-8 (cut short) */
        EMDASH " PeterNeumann #\n",             /* base64 cut short (not padded) */
        EMDASH " PeterNeumann !@\n",            /* not base64 */
        EMDASH " PeterNeumann AAAA\n",          /* 3 bytes: shorter than a key id + 1 */
        EMDASH " PeterNeumann @\n" EMDASH "\n", /* a dash alone */
        "\n",                                   /* an empty line */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[512];
        size_t o = 0;
        for (const char *q = bad[i]; *q; q++) {
            if (*q == '@' || *q == '#') {
                size_t l = *q == '@' ? strlen(b64) : 82;
                memcpy(line + o, b64, l);
                o += l;
            } else {
                line[o++] = *q;
            }
        }
        line[o] = '\0';
        cw_buf n = cat(peter_text, "\n", line);
        cw_rc rc = open_note(&v, n.data, n.len, NULL);
        if (rc != CW_EINVAL)
            fail_msg("case %zu (%s): got %d, want CW_EINVAL", i, line, rc);
        /* And after a good signature. */
        cw_buf_reset(&n);
        assert_int_equal(cw_buf_addstr(&n, peter_text), CW_OK);
        assert_int_equal(cw_buf_addstr(&n, "\n"), CW_OK);
        assert_int_equal(cw_buf_addstr(&n, peter_sig), CW_OK);
        assert_int_equal(cw_buf_addstr(&n, line), CW_OK);
        rc = open_note(&v, n.data, n.len, NULL);
        if (rc != CW_EINVAL)
            fail_msg("case %zu after a good signature: got %d, want CW_EINVAL", i, rc);
        cw_buf_release(&n);
    }
    /* Notes that are empty or hardly anything. */
    assert_int_equal(open_note(&v, "", 0, NULL), CW_EINVAL);
    assert_int_equal(open_str(&v, "\n"), CW_EINVAL);
    assert_int_equal(open_str(&v, "\n\n"), CW_EINVAL);
    assert_int_equal(open_str(&v, "\n\n\n"), CW_EINVAL);
    /* A blank line inside the signatures: as in Go, the text ends at the
     * last blank line, so Peter's line becomes text and Enoch's signature
     * (over the real text) no longer matches. */
    cw_note_verifier enoch;
    parse_vkey(enoch_vkey, &enoch);
    cw_buf n = cat(peter_text, "\n", peter_sig);
    assert_int_equal(cw_buf_addstr(&n, "\n"), CW_OK);
    assert_int_equal(cw_buf_addstr(&n, enoch_sig), CW_OK);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EVERIFY);
    assert_int_equal(open_note(&enoch, n.data, n.len, NULL), CW_EVERIFY);
    cw_buf_release(&n);
    /* CR LF line endings. */
    n = cat("If you think cryptography is the answer to your problem,\r\n"
            "then you don't know what your problem is.\r\n",
            "\r\n", peter_sig);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EINVAL);
    cw_buf_release(&n);
}

/* A signature line for name with base64 of nbytes pseudo-random bytes. */
static void add_other_sig(cw_buf *n, unsigned i, size_t nbytes)
{
    uint8_t raw[200];
    char b64[300];
    assert_true(nbytes <= sizeof raw);
    for (size_t k = 0; k < nbytes; k++)
        raw[k] = (uint8_t)(i * 131 + k * 7 + 1);
    sodium_bin2base64(b64, sizeof b64, raw, nbytes, sodium_base64_VARIANT_ORIGINAL);
    assert_int_equal(cw_buf_addf(n, EMDASH " other%u.example %s\n", i, b64), CW_OK);
}

static void test_signature_count_limit(void **state)
{
    (void)state;
    cw_note_verifier v;
    parse_vkey(peter_vkey, &v);
    for (unsigned total = 98; total <= 102; total++) {
        /* Peter's signature last, after total - 1 others. */
        cw_buf n = cat(peter_text, "\n", "");
        for (unsigned i = 1; i < total; i++)
            add_other_sig(&n, i, 68);
        assert_int_equal(cw_buf_addstr(&n, peter_sig), CW_OK);
        cw_rc want = total <= CW_NOTE_MAX_SIGS ? CW_OK : CW_EINVAL;
        cw_rc rc = open_note(&v, n.data, n.len, NULL);
        if (rc != want)
            fail_msg("%u signatures, Peter's last: got %d, want %d", total, rc, want);
        cw_buf_release(&n);
        /* Peter's signature first. */
        n = cat(peter_text, "\n", peter_sig);
        for (unsigned i = 1; i < total; i++)
            add_other_sig(&n, i, 68);
        rc = open_note(&v, n.data, n.len, NULL);
        if (rc != want)
            fail_msg("%u signatures, Peter's first: got %d, want %d", total, rc, want);
        cw_buf_release(&n);
    }
    assert_int_equal(CW_NOTE_MAX_SIGS, 100);

    /* Other algorithms' signatures may be longer (or shorter) than
     * Ed25519's; they are ignored. */
    cw_buf n = cat(peter_text, "\n", "");
    add_other_sig(&n, 1, 5);
    add_other_sig(&n, 2, 132);
    add_other_sig(&n, 3, 200);
    assert_int_equal(cw_buf_addstr(&n, peter_sig), CW_OK);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_OK);
    cw_buf_release(&n);

    /* Too big as a whole. */
    cw_buf big;
    cw_buf_init(&big, BUFMAX);
    while (big.len <= CW_NOTE_MAX_BYTES)
        assert_int_equal(cw_buf_addstr(&big, "All work and no play makes Jack a dull boy.\n"),
                         CW_OK);
    assert_int_equal(cw_buf_addstr(&big, "\n"), CW_OK);
    assert_int_equal(cw_buf_addstr(&big, peter_sig), CW_OK);
    assert_int_equal(open_note(&v, big.data, big.len, NULL), CW_ETOOBIG);
    cw_buf_release(&big);
}

/* Replaces the base64 of the first signature line after text + "\n". */
static void resign_b64(cw_buf *n, size_t text_len, const uint8_t raw[68])
{
    char *line = n->data + text_len + 1;
    char *sp = strchr(line + 4, ' ');
    assert_non_null(sp);
    char b64[100];
    sodium_bin2base64(b64, sizeof b64, raw, 68, sodium_base64_VARIANT_ORIGINAL);
    assert_int_equal(strlen(b64), 92);
    assert_int_equal(sp[1 + 92], '\n');
    memcpy(sp + 1, b64, 92);
}

static void test_bad_signatures(void **state)
{
    (void)state;
    cw_note_verifier v;
    parse_vkey(peter_vkey, &v);
    const size_t tl = strlen(peter_text);
    uint8_t raw[68];
    size_t got = 0;
    const char *b64 = strchr(peter_sig + 4, ' ') + 1;
    assert_int_equal(sodium_base642bin(raw, sizeof raw, b64, strlen(b64) - 1, NULL, &got, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(got, 68);
    assert_memory_equal(raw, v.key_id, 4);

    cw_buf n = cat(peter_text, "\n", peter_sig);
    /* Every bit of the Ed25519 signature: rejected as not verifying. */
    for (unsigned bit = 32; bit < 68 * 8; bit++) {
        raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        resign_b64(&n, tl, raw);
        cw_rc rc = open_note(&v, n.data, n.len, NULL);
        if (rc != CW_EVERIFY)
            fail_msg("signature bit %u flipped: got %d, want CW_EVERIFY", bit, rc);
        raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    /* Every bit of the key id: the line is someone else's; no signature. */
    for (unsigned bit = 0; bit < 32; bit++) {
        raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        resign_b64(&n, tl, raw);
        assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EVERIFY);
        raw[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    resign_b64(&n, tl, raw);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_OK);

    /* A known key with a bad signature rejects the note even if a good one
     * follows. */
    raw[40] ^= 0x10;
    resign_b64(&n, tl, raw);
    raw[40] ^= 0x10;
    assert_int_equal(cw_buf_addstr(&n, peter_sig), CW_OK);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EVERIFY);
    cw_buf_release(&n);

    /* A signature of the right key id but the wrong length. */
    n = cat(peter_text, "\n", "");
    {
        char b[200];
        uint8_t longer[69];
        memcpy(longer, raw, 68);
        longer[68] = 0;
        sodium_bin2base64(b, sizeof b, longer, 69, sodium_base64_VARIANT_ORIGINAL);
        assert_int_equal(cw_buf_addf(&n, EMDASH " PeterNeumann %s\n", b), CW_OK);
        assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EVERIFY);
        cw_buf_reset(&n);
        assert_int_equal(cw_buf_addstr(&n, peter_text), CW_OK);
        sodium_bin2base64(b, sizeof b, raw, 36, sodium_base64_VARIANT_ORIGINAL);
        assert_int_equal(cw_buf_addf(&n, "\n" EMDASH " PeterNeumann %s\n", b), CW_OK);
        assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EVERIFY);
    }
    cw_buf_release(&n);

    /* Peter's signature under another name is someone else's. */
    n = cat(peter_text, "\n", EMDASH " PeterNeumann2 ");
    assert_int_equal(cw_buf_addstr(&n, b64), CW_OK);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EVERIFY);
    cw_buf_release(&n);

    /* A changed text: every printable byte changed to another one. */
    for (size_t i = 0; i < tl; i++) {
        char c = peter_text[i];
        if (c == '\n')
            continue;
        n = cat(peter_text, "\n", peter_sig);
        n.data[i] = (char)(c == 'a' ? 'b' : 'a');
        cw_rc rc = open_note(&v, n.data, n.len, NULL);
        if (rc != CW_EVERIFY)
            fail_msg("text byte %zu changed: got %d, want CW_EVERIFY", i, rc);
        cw_buf_release(&n);
    }
    /* A line added to or removed from the text. */
    n = cat("Mallory was here.\n", peter_text, "\n");
    assert_int_equal(cw_buf_addstr(&n, peter_sig), CW_OK);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EVERIFY);
    cw_buf_release(&n);
    n = cat(strchr(peter_text, '\n') + 1, "\n", peter_sig);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EVERIFY);
    cw_buf_release(&n);

    /* The same name with another key (a different key id). */
    cw_note_signer imp;
    cw_error err = {0};
    assert_int_equal(cw_note_signer_generate("PeterNeumann", &imp, &err), CW_OK);
    n = (cw_buf)CW_BUF_INIT(BUFMAX);
    assert_int_equal(cw_note_sign(&imp, peter_text, strlen(peter_text), &n, &err), CW_OK);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EVERIFY);
    cw_buf_release(&n);
    /* ... and with Peter's key id forced onto the impostor's signature. */
    memcpy(imp.v.key_id, v.key_id, 4);
    n = (cw_buf)CW_BUF_INIT(BUFMAX);
    assert_int_equal(cw_note_sign(&imp, peter_text, strlen(peter_text), &n, &err), CW_OK);
    assert_int_equal(open_note(&v, n.data, n.len, NULL), CW_EVERIFY);
    cw_buf_release(&n);
    cw_note_signer_release(&imp);
}

/* ---------------------------------------------------------------------- */
/* Keys                                                                   */

static void test_key_names(void **state)
{
    (void)state;
    char name[300];
    assert_int_equal(name_rc("example.com/foo"), CW_OK);
    assert_int_equal(name_rc("a"), CW_OK);
    assert_int_equal(name_rc("!~"), CW_OK);
    assert_int_equal(name_rc(""), CW_EINVAL);
    assert_int_equal(name_rc("Bad Name"), CW_EINVAL);
    assert_int_equal(name_rc(" lead"), CW_EINVAL);
    assert_int_equal(name_rc("trail "), CW_EINVAL);
    assert_int_equal(name_rc("a+b"), CW_EINVAL);
    assert_int_equal(name_rc("+"), CW_EINVAL);
    assert_int_equal(name_rc("tab\there"), CW_EINVAL);
    assert_int_equal(name_rc("nl\n"), CW_EINVAL);
    assert_int_equal(name_rc("del\x7f"), CW_EINVAL);
    assert_int_equal(name_rc("caf\xc3\xa9"), CW_EINVAL); /* printable ASCII only */
    memset(name, 'n', sizeof name);
    name[255] = '\0';
    assert_int_equal(name_rc(name), CW_OK);
    name[255] = 'n';
    name[256] = '\0';
    assert_int_equal(name_rc(name), CW_EINVAL);

    cw_note_signer s;
    cw_error err = {0};
    assert_int_equal(cw_note_signer_generate("Bad Name", &s, &err), CW_EINVAL);
    check_err(CW_EINVAL, &err);
    assert_int_equal(cw_note_signer_generate("", &s, &err), CW_EINVAL);
    assert_int_equal(cw_note_signer_generate(name, &s, &err), CW_EINVAL);
    name[255] = '\0';
    assert_int_equal(cw_note_signer_generate(name, &s, &err), CW_OK);
    assert_string_equal(s.v.name, name);
    cw_note_signer_release(&s);
}

static void test_bad_vkeys(void **state)
{
    (void)state;
    char k[600];
    assert_int_equal(vkey_rc(peter_vkey), CW_OK);

    /* Wrong key id (each hex digit changed in turn). */
    for (size_t i = 0; i < 8; i++) {
        snprintf(k, sizeof k, "%s", peter_vkey);
        char *id = k + strlen("PeterNeumann+");
        id[i] = id[i] == '0' ? '1' : '0';
        assert_int_equal(vkey_rc(k), CW_EINVAL);
    }
    /* Key id too short or too long, missing. */
    assert_int_equal(vkey_rc("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
                     CW_EINVAL);
    assert_int_equal(vkey_rc("PeterNeumann+c74f20a33+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
                     CW_EINVAL);
    assert_int_equal(vkey_rc("PeterNeumann+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
                     CW_EINVAL);
    assert_int_equal(vkey_rc("PeterNeumann"), CW_EINVAL);
    assert_int_equal(vkey_rc(""), CW_EINVAL);

    /* Bad base64: a bad character, cut short, extra characters, unpadded,
     * the URL alphabet, 32 bytes without the algorithm byte. */
    assert_int_equal(vkey_rc("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq!LDE4izWy10TW"),
                     CW_EINVAL);
    assert_int_equal(vkey_rc("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T"),
                     CW_EINVAL);
    assert_int_equal(
        vkey_rc("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWAAAA"),
        CW_EINVAL);
    assert_int_equal(vkey_rc("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW"),
                     CW_EINVAL);
    assert_int_equal(vkey_rc("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW "),
                     CW_EINVAL);

    /* Algorithm byte 2 with a key id computed for it (so only the
     * algorithm is wrong), and algorithm 0. */
    cw_note_verifier v;
    parse_vkey(peter_vkey, &v);
    for (uint8_t alg = 0; alg < 4; alg++) {
        if (alg == 1)
            continue;
        uint8_t raw[33], h[32];
        char b64[64];
        raw[0] = alg;
        memcpy(raw + 1, v.public_key, 32);
        crypto_hash_sha256_state st;
        crypto_hash_sha256_init(&st);
        crypto_hash_sha256_update(&st, (const uint8_t *)"PeterNeumann\n", 13);
        crypto_hash_sha256_update(&st, raw, 33);
        crypto_hash_sha256_final(&st, h);
        sodium_bin2base64(b64, sizeof b64, raw, 33, sodium_base64_VARIANT_ORIGINAL);
        snprintf(k, sizeof k, "PeterNeumann+%02x%02x%02x%02x+%s", h[0], h[1], h[2], h[3], b64);
        assert_int_equal(vkey_rc(k), CW_EINVAL);
    }
    /* The same construction with algorithm 1 reproduces the vkey. */
    {
        uint8_t raw[33], h[32];
        char b64[64];
        raw[0] = 1;
        memcpy(raw + 1, v.public_key, 32);
        crypto_hash_sha256_state st;
        crypto_hash_sha256_init(&st);
        crypto_hash_sha256_update(&st, (const uint8_t *)"PeterNeumann\n", 13);
        crypto_hash_sha256_update(&st, raw, 33);
        crypto_hash_sha256_final(&st, h);
        sodium_bin2base64(b64, sizeof b64, raw, 33, sodium_base64_VARIANT_ORIGINAL);
        snprintf(k, sizeof k, "PeterNeumann+%02x%02x%02x%02x+%s", h[0], h[1], h[2], h[3], b64);
        assert_string_equal(k, peter_vkey);
    }

    /* Bad names. */
    assert_int_equal(vkey_rc("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"), CW_EINVAL);
    assert_int_equal(vkey_rc("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
                     CW_EINVAL);
    memset(k, 'n', 256);
    snprintf(k + 256, sizeof k - 256, "%s",
             "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
    assert_int_equal(vkey_rc(k), CW_EINVAL);
    /* A right key under another name: the key id no longer matches. */
    assert_int_equal(vkey_rc("PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
                     CW_EINVAL);

    /* A signing key is not a verifier key, and the other way round. */
    assert_int_equal(vkey_rc(peter_skey), CW_EINVAL);
    assert_int_equal(skey_rc(peter_vkey), CW_EINVAL);
}

static void test_bad_skeys(void **state)
{
    (void)state;
    char k[600];
    assert_int_equal(skey_rc(peter_skey), CW_OK);
    assert_int_equal(skey_rc(csc_skey), CW_OK);
    /* Wrong key id. */
    snprintf(k, sizeof k, "%s", peter_skey);
    k[strlen("PRIVATE+KEY+PeterNeumann+")] = 'd';
    assert_int_equal(skey_rc(k), CW_EINVAL);
    /* Wrong prefix. */
    assert_int_equal(skey_rc(peter_skey + 1), CW_EINVAL);
    assert_int_equal(skey_rc("private+key+PeterNeumann+c74f20a3+"
                             "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"),
                     CW_EINVAL);
    assert_int_equal(skey_rc("PRIVATE+KEY+"), CW_EINVAL);
    assert_int_equal(skey_rc(""), CW_EINVAL);
    /* Bad base64, wrong algorithm byte. */
    assert_int_equal(skey_rc("PRIVATE+KEY+PeterNeumann+c74f20a3+"
                             "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF"),
                     CW_EINVAL);
    assert_int_equal(skey_rc("PRIVATE+KEY+PeterNeumann+c74f20a3+"
                             "AoEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"),
                     CW_EINVAL);
    /* The name is part of the key id. */
    assert_int_equal(skey_rc("PRIVATE+KEY+PeterNeuman+c74f20a3+"
                             "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"),
                     CW_EINVAL);
    /* A trailing newline (as in a key file) is fine. */
    snprintf(k, sizeof k, "%s\n", peter_skey);
    assert_int_equal(skey_rc(k), CW_OK);
}

static void test_generate_round_trip(void **state)
{
    (void)state;
    cw_note_signer a, b, a2;
    cw_note_verifier va, vb;
    cw_error err = {0};
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    assert_int_equal(cw_note_signer_generate("log.example/a", &a, &err), CW_OK);
    assert_int_equal(cw_note_signer_generate("log.example/a", &b, &err), CW_OK);
    assert_memory_not_equal(a.v.public_key, b.v.public_key, 32);
    assert_memory_not_equal(a.secret_key, b.secret_key, 64);

    /* Keys survive formatting and parsing. */
    cw_buf ks, kv;
    cw_buf_init(&ks, BUFMAX);
    cw_buf_init(&kv, BUFMAX);
    assert_int_equal(cw_note_signer_format(&a, &ks), CW_OK);
    assert_int_equal(cw_note_verifier_format(&a.v, &kv), CW_OK);
    assert_int_equal(strncmp(ks.data, "PRIVATE+KEY+log.example/a+", 26), 0);
    assert_int_equal(strncmp(kv.data, "log.example/a+", 14), 0);
    assert_int_equal(kv.len, 14 + 8 + 1 + 44);
    parse_skey(ks.data, &a2);
    assert_memory_equal(a2.secret_key, a.secret_key, 64);
    assert_memory_equal(&a2.v, &a.v, sizeof a.v);
    parse_vkey(kv.data, &va);
    assert_memory_equal(&va, &a.v, sizeof va);
    cw_buf_reset(&kv);
    assert_int_equal(cw_note_verifier_format(&b.v, &kv), CW_OK);
    parse_vkey(kv.data, &vb);

    /* Sign with a, open with a; b's key (same name) does not open it. */
    cw_checkpoint c = {"log.example/a", 12345678901234567890ULL, {0}};
    for (int i = 0; i < CW_HASH_LEN; i++)
        c.root[i] = (uint8_t)(i * 37);
    cw_buf text, note;
    cw_buf_init(&text, BUFMAX);
    cw_buf_init(&note, BUFMAX);
    assert_int_equal(cw_checkpoint_format(&c, &text), CW_OK);
    assert_int_equal(cw_note_sign(&a2, text.data, text.len, &note, &err), CW_OK);
    size_t tl = 0;
    assert_int_equal(open_note(&va, note.data, note.len, &tl), CW_OK);
    assert_int_equal(tl, text.len);
    assert_int_equal(open_note(&vb, note.data, note.len, NULL), CW_EVERIFY);
    cw_checkpoint back;
    assert_int_equal(cw_checkpoint_parse(note.data, tl, &back, &err), CW_OK);
    assert_string_equal(back.origin, c.origin);
    assert_true(back.size == c.size);
    assert_memory_equal(back.root, c.root, CW_HASH_LEN);

    /* Cosigned by b: both open it. */
    cw_buf nb;
    cw_buf_init(&nb, BUFMAX);
    assert_int_equal(cw_note_sign(&b, text.data, text.len, &nb, &err), CW_OK);
    assert_int_equal(cw_buf_addstr(&note, nb.data + text.len + 1), CW_OK);
    assert_int_equal(open_note(&va, note.data, note.len, NULL), CW_OK);
    assert_int_equal(open_note(&vb, note.data, note.len, NULL), CW_OK);

    cw_note_signer_release(&a);
    cw_note_signer_release(&a2);
    cw_note_signer_release(&b);
    cw_buf_release(&ks);
    cw_buf_release(&kv);
    cw_buf_release(&text);
    cw_buf_release(&note);
    cw_buf_release(&nb);
}

static void test_sign_rejects_bad_text(void **state)
{
    (void)state;
    cw_note_signer s;
    parse_skey(peter_skey, &s);
    const char *bad[] = {
        "",       "no final newline", "ctl\x01\n", "del\x7f\n",     "tab\there\n",
        "\xff\n", "\xc3\n",           "cr\r\n",    "\xed\xa0\x80\n" /* a surrogate */};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cw_buf out;
        cw_error err = {0};
        cw_buf_init(&out, BUFMAX);
        cw_rc rc = cw_note_sign(&s, bad[i], strlen(bad[i]), &out, &err);
        if (rc != CW_EINVAL)
            fail_msg("signing bad text %zu: got %d, want CW_EINVAL", i, rc);
        check_err(rc, &err);
        assert_int_equal(out.len, 0);
        cw_buf_release(&out);
    }
    /* A NUL byte in the text. */
    cw_buf out;
    cw_error err = {0};
    cw_buf_init(&out, BUFMAX);
    assert_int_equal(cw_note_sign(&s, "a\0b\n", 4, &out, &err), CW_EINVAL);
    /* Good UTF-8 is fine, and opens. */
    static const char utf8[] = "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x93\x9c\n";
    assert_int_equal(cw_note_sign(&s, utf8, strlen(utf8), &out, &err), CW_OK);
    cw_note_verifier v;
    parse_vkey(peter_vkey, &v);
    size_t tl = 0;
    assert_int_equal(open_note(&v, out.data, out.len, &tl), CW_OK);
    assert_int_equal(tl, strlen(utf8));
    cw_buf_release(&out);
    cw_note_signer_release(&s);
}

/* ---------------------------------------------------------------------- */
/* Checkpoints                                                            */

static void test_checkpoint_parse_errors(void **state)
{
    (void)state;
    cw_checkpoint c;
    const char *root = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=";
    char t[1024];
    const char *bad_sizes[] = {"007",
                               "00",
                               "01",
                               "",
                               "8a",
                               "a8",
                               "-1",
                               "+8",
                               " 8",
                               "8 ",
                               "0x10",
                               "1e3",
                               "18446744073709551616",
                               "18446744073709551620",
                               "99999999999999999999",
                               "184467440737095516150",
                               "100000000000000000000"};
    for (size_t i = 0; i < sizeof bad_sizes / sizeof bad_sizes[0]; i++) {
        snprintf(t, sizeof t, "example.com/log\n%s\n%s\n", bad_sizes[i], root);
        cw_rc rc = checkpoint_rc(t, &c);
        if (rc != CW_EINVAL)
            fail_msg("size \"%s\": got %d, want CW_EINVAL", bad_sizes[i], rc);
    }
    const struct {
        const char *s;
        uint64_t v;
    } good_sizes[] = {{"0", 0},
                      {"1", 1},
                      {"8", 8},
                      {"10", 10},
                      {"4294967296", 4294967296ULL},
                      {"18446744073709551615", UINT64_MAX},
                      {"18446744073709551609", UINT64_MAX - 6}};
    for (size_t i = 0; i < sizeof good_sizes / sizeof good_sizes[0]; i++) {
        snprintf(t, sizeof t, "example.com/log\n%s\n%s\n", good_sizes[i].s, root);
        memset(&c, 0, sizeof c);
        assert_int_equal(checkpoint_rc(t, &c), CW_OK);
        assert_true(c.size == good_sizes[i].v);
        assert_string_equal(c.origin, "example.com/log");
        /* And formatting gives the same text back. */
        cw_buf out;
        cw_buf_init(&out, BUFMAX);
        assert_int_equal(cw_checkpoint_format(&c, &out), CW_OK);
        assert_string_equal(out.data, t);
        cw_buf_release(&out);
    }

    /* Roots that are not base64 of 32 bytes. */
    const char *bad_roots[] = {
        "",
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg",                      /* unpadded */
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQy==",                     /* 31 bytes */
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQygA",                     /* 33 bytes */
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=AAAA",                 /* trailing */
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg=",                     /* URL alphabet */
        "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg= ",                    /* trailing space */
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", /* hex */
    };
    for (size_t i = 0; i < sizeof bad_roots / sizeof bad_roots[0]; i++) {
        snprintf(t, sizeof t, "example.com/log\n8\n%s\n", bad_roots[i]);
        cw_rc rc = checkpoint_rc(t, &c);
        if (rc != CW_EINVAL)
            fail_msg("root \"%s\": got %d, want CW_EINVAL", bad_roots[i], rc);
    }

    /* Missing lines, empty origin, an origin too long. */
    assert_int_equal(checkpoint_rc("", &c), CW_EINVAL);
    assert_int_equal(checkpoint_rc("example.com/log\n", &c), CW_EINVAL);
    assert_int_equal(checkpoint_rc("example.com/log\n8\n", &c), CW_EINVAL);
    snprintf(t, sizeof t, "example.com/log\n8\n%s", root);
    assert_int_equal(checkpoint_rc(t, &c), CW_EINVAL);
    snprintf(t, sizeof t, "example.com/log\n%s\n", root);
    assert_int_equal(checkpoint_rc(t, &c), CW_EINVAL);
    snprintf(t, sizeof t, "\n8\n%s\n", root);
    assert_int_equal(checkpoint_rc(t, &c), CW_EINVAL);
    memset(t, 'o', 256);
    snprintf(t + 256, sizeof t - 256, "\n8\n%s\n", root);
    assert_int_equal(checkpoint_rc(t, &c), CW_EINVAL);
    t[1] = '\n'; /* an origin of one byte, then a bad size line */
    assert_int_equal(checkpoint_rc(t, &c), CW_EINVAL);
    memset(t, 'o', 255);
    snprintf(t + 255, sizeof t - 255, "\n8\n%s\n", root);
    assert_int_equal(checkpoint_rc(t, &c), CW_OK);
    assert_int_equal(strlen(c.origin), 255);

    /* The length given is respected: the text is not read past it. */
    snprintf(t, sizeof t, "example.com/log\n8\n%s\n", root);
    cw_error err = {0};
    assert_int_equal(cw_checkpoint_parse(t, strlen(t) - 1, &c, &err), CW_EINVAL);
    assert_int_equal(cw_checkpoint_parse(t, strlen(t), &c, &err), CW_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_c2sp_example),
        cmocka_unit_test(test_go_sign_vector),
        cmocka_unit_test(test_go_open_two_signers),
        cmocka_unit_test(test_checkpoint_vector),
        cmocka_unit_test(test_checkpoint_c2sp_example),
        cmocka_unit_test(test_go_malformed),
        cmocka_unit_test(test_malformed_signature_lines),
        cmocka_unit_test(test_signature_count_limit),
        cmocka_unit_test(test_bad_signatures),
        cmocka_unit_test(test_key_names),
        cmocka_unit_test(test_bad_vkeys),
        cmocka_unit_test(test_bad_skeys),
        cmocka_unit_test(test_generate_round_trip),
        cmocka_unit_test(test_sign_rejects_bad_text),
        cmocka_unit_test(test_checkpoint_parse_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
