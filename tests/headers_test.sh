#!/usr/bin/env bash
# headers_test.sh — what every answer carries, whatever the request (issue 18, item 9).
#
# Raw requests to `caseward serve --secure-cookies`: the 400, 404, 405, 413, 414 and 431 that
# caseward writes all carry its security headers (nosniff, DENY, no-referrer, the CSP,
# no-store) and Strict-Transport-Security; 414 and 431 are caseward's own up to the library's
# memory per connection (128 KiB), and only past it, or for a request the library cannot
# parse (docs/api.md lists which), does libmicrohttpd answer with its own page, which carries
# them too, and a Content-Type. The session cookies have no Max-Age (gone with the browser) and sign-out clears
# them (Max-Age=0). A probe for a child whose identifier is not UTF-8 (%FF%FE, or the raw
# bytes) is answered 404 "no child ... that you can see", like any unknown child, not "the
# server is busy", and is recorded in the log as an ASCII probe is, without the bytes.
#
# usage: bash tests/headers_test.sh /path/to/caseward
set -u

CW=${1:?usage: headers_test.sh /path/to/caseward}
[ -x "$CW" ] || { echo "headers_test: $CW is not executable" >&2; exit 1; }
command -v python3 >/dev/null || { echo "headers_test: needs python3" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "headers_test: needs sqlite3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/cw-headers-test-XXXXXX")
PID=
trap '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null; rm -rf "$T"' EXIT

. "$(dirname "$0")/lib.sh"

run init --db "$T/c.db" --no-admin
expect_rc 0 "init"
# A head of service (who may look for any child) and their account.
echo '{"type":"staff_added","payload":{"staff_id":"hos","name":"Head Of Service","role":"head_of_service"}}' |
    "$CW" append --db "$T/c.db" >/dev/null
check "the head of service is added" test $? -eq 0
run user add hos --staff hos --db "$T/c.db"
expect_rc 0 "the head of service's account"
once=$(sed -n 's/.*one-time password \([^ ]*\) .*/\1/p' "$T/out")
check "the head of service's one-time password is printed" test -n "$once"
mkdir "$T/web" && echo '<!doctype html><title>caseward web</title>' >"$T/web/index.html"
"$CW" serve --db "$T/c.db" --listen 127.0.0.1:0 --secure-cookies --web "$T/web" 2>"$T/log" &
PID=$!
port=$(serve_port "$T/log")
check "server reports its port" test -n "$port"

python3 - "$port" "$once" >"$T/results" 2>"$T/py.err" <<'EOF'
import json, socket, sys, time

port, once = int(sys.argv[1]), sys.argv[2]
NEW_PW = "headers test password"

def raw(data):
    """Sends data on a new connection; returns (status, {header: [values]}, body)."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(10)
    try:
        s.sendall(data)
    except OSError:
        pass  # the server may answer and close before all of it is read
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    except OSError:
        pass
    s.close()
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1]) if lines[0].startswith("HTTP/") else 0
    h = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        h.setdefault(k.strip().lower(), []).append(v.strip())
    return status, h, body

def req(method, path, body=b"", headers=()):
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers).encode()
    if isinstance(path, str):
        path = path.encode()
    return raw(method.encode() + b" " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
               extra + (b"Content-Length: %d\r\n" % len(body) if body else b"") + b"\r\n" + body)

def result(ok, name):
    print(("ok " if ok else "bad ") + name)

for _ in range(100):
    try:
        if req("GET", "/healthz")[0] == 200:
            break
    except OSError:
        pass
    time.sleep(0.05)

SECURITY = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
            "referrer-policy": "no-referrer", "cache-control": "no-store",
            "content-security-policy": "default-src 'none'",
            "strict-transport-security": "max-age=31536000; includeSubDomains"}

def carries(name, got, want_status):
    status, h, body = got
    missing = [k for k, v in SECURITY.items() if h.get(k) != [v]]
    result(status == want_status, f"{name}: status {status}, expected {want_status}")
    result(not missing, f"{name}: caseward's headers (missing or wrong: {missing})")
    try:
        code = json.loads(body)["error"]["code"]
    except Exception:
        code = None
    result(code is not None, f"{name}: caseward's JSON error ({body[:60]!r})")

carries("400 (a sign-in that is not JSON)",
        req("POST", "/api/v1/session", b"{}", [("Content-Type", "text/plain")]), 400)
carries("404 (no such route)", req("GET", "/api/v1/nothing"), 404)
carries("405 (a method the path does not take)", req("DELETE", "/healthz"), 405)
carries("413 (a body over 1 MiB)",
        req("POST", "/api/v1/session", b"x" * ((1 << 20) + 1), [("Content-Type", "application/json")]), 413)
carries("414 (a target of 10000 bytes)", req("GET", "/healthz?" + "a" * 10000), 414)
carries("414 (a target of 100000 bytes)", req("GET", "/healthz?" + "a" * 100000), 414)
carries("414 (a path of 2000 bytes)", req("GET", "/api/v1/" + "a" * 2000), 414)
carries("431 (a header of 40000 bytes)", req("GET", "/healthz", headers=[("X-Big", "a" * 40000)]), 431)
carries("431 (headers of 100000 bytes)",
        req("GET", "/healthz", headers=[("X-Big%d" % i, "a" * 10000) for i in range(10)]), 431)
st, h, _ = req("GET", "/healthz")
result(st == 200 and all(h.get(k) == [v] for k, v in SECURITY.items()), "200 /healthz: the headers")
st, h, _ = req("GET", "/")
result(st == 200 and h.get("strict-transport-security") == [SECURITY["strict-transport-security"]]
       and h.get("x-frame-options") == ["DENY"], "200 a web application's file: HSTS and DENY")

# What libmicrohttpd answers itself (docs/api.md): past its memory per connection, or a request
# it cannot parse. Its page keeps the library's text, and carries caseward's headers and a
# Content-Type (server.c, "headers": caseward's MHD_queue_response comes before the library's).
library = [
    ("a target over 128 KiB", req("GET", "/healthz?" + "a" * 200000), 414),
    ("headers over 128 KiB", req("GET", "/healthz", headers=[("X-Big", "a" * 200000)]), 431),
    ("a header line without a colon", raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n"), 400),
    ("an unknown HTTP version", raw(b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n"), 505),
    ("a Content-Length that is not a number",
     raw(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"), 400),
    ("a Content-Length past 2^64",
     raw(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n"), 413),
    ("a malformed chunk",
     raw(b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n"), 400),
]
for name, (st, h, body), want in library:
    missing = [k for k, v in SECURITY.items() if h.get(k) != [v]]
    result(st == want, f"library's own {want} ({name}): status {st}")
    result(not missing, f"library's own {want} ({name}): caseward's headers (missing or wrong: {missing})")
    # (For a bad Content-Length, libmicrohttpd 0.9.75 writes its head twice, then the page.)
    result(h.get("content-type") == ["text/html; charset=utf-8"] and body.endswith(b"</html>"),
           f"library's own {want} ({name}): its HTML page, with a Content-Type ({h.get('content-type')}, {body[:30]!r})")

# Sign-in: browser-session cookies (no Max-Age), Secure, HSTS.
body = json.dumps({"username": "hos", "password": once}).encode()
st, h, b = req("POST", "/api/v1/session", body, [("Content-Type", "application/json")])
every = h.get("set-cookie", [])
cookies = [c for c in every if not c.startswith("cw_device=")]
device = [c for c in every if c.startswith("cw_device=")]
result(st == 200 and len(cookies) == 2, f"sign-in: 200 with two session cookies ({st}, {cookies})")
result(all("Max-Age" not in c and "Secure" in c and "SameSite=Strict" in c for c in cookies),
       f"sign-in: session cookies, Secure, SameSite=Strict, no Max-Age ({cookies})")
# ... and the device cookie (throttle.c): kept 30 days, for the sign-in path only.
result(len(device) == 1 and all(a in device[0] for a in
       ("; Path=/api/v1/session", "; Max-Age=2592000", "; SameSite=Strict", "; HttpOnly", "; Secure")),
       f"sign-in: a device cookie, 30 days, Path=/api/v1/session, HttpOnly, Secure ({device})")
result(h.get("strict-transport-security") == [SECURITY["strict-transport-security"]], "sign-in: HSTS")
jar = dict(c.split(";")[0].split("=", 1) for c in cookies)
csrf = json.loads(b or b"{}").get("csrf_token", "")
auth = [("Cookie", "; ".join(f"{k}={v}" for k, v in jar.items())), ("X-CSRF-Token", csrf)]
pw = json.dumps({"current_password": once, "new_password": NEW_PW}).encode()
st, _, b = req("PUT", "/api/v1/me/password", pw, auth + [("Content-Type", "application/json")])
result(st == 200, f"the one-time password is changed ({st} {b[:100]!r})")
body = json.dumps({"username": "hos", "password": NEW_PW}).encode()  # a new session
st, h, b = req("POST", "/api/v1/session", body, [("Content-Type", "application/json")])
jar = dict(c.split(";")[0].split("=", 1) for c in h.get("set-cookie", []))
csrf = json.loads(b or b"{}").get("csrf_token", "")
auth = [("Cookie", "; ".join(f"{k}={v}" for k, v in jar.items())), ("X-CSRF-Token", csrf)]
result(st == 200, f"signed in with the new password ({st})")

# Probes: ASCII, %FF%FE, the raw bytes, a long one; each 404 "no child ... that you can see".
probes = [("ASCII", b"/api/v1/children/NOSUCHCHILD", "NOSUCHCHILD"),
          ("%FF%FE", b"/api/v1/children/%FF%FE", "%FF%FE"),
          ("raw bytes", b"/api/v1/children/ab\xff\xfecd", "ab%FF%FEcd"),
          # long: the escapes fill the room so that it ends inside the last character (é)
          ("long", b"/api/v1/children/a" + b"%FF" * 42 + b"%C3%A9", "a%FF%FF")]
for name, path, shown in probes:
    st, h, b = req("GET", path, headers=auth)
    try:
        e = json.loads(b)["error"]
    except Exception:
        e = {}
    result(st == 404 and e.get("key") == "no_child_you_see",
           f"probe {name}: 404 no_child_you_see ({st} {e.get('key')})")
    result(shown in e.get("message", ""), f"probe {name}: the message quotes {shown} ({e.get('message')})")
    result("busy" not in e.get("message", ""), f"probe {name}: not 'the server is busy'")
    result(h.get("x-content-type-options") == ["nosniff"], f"probe {name}: the headers")

# A query parameter that is not UTF-8: 400 naming it, not "the server is busy".
st, h, b = req("GET", "/api/v1/integrity?from=2026-01-01&to=2026-01-02&team=%FF", headers=auth)
try:
    e = json.loads(b)["error"]
except Exception:
    e = {}
result(st == 400 and e.get("key") == "not_utf8" and e.get("field") == "team",
       f"a query value not UTF-8: 400 not_utf8 naming team ({st} {e.get('key')} {e.get('field')})")

# Sign-out clears both cookies (Max-Age=0).
st, h, _ = req("DELETE", "/api/v1/session", headers=auth)
out = h.get("set-cookie", [])
result(st == 200 and len(out) == 2 and all("Max-Age=0" in c for c in out),
       f"sign-out: both cookies cleared with Max-Age=0 ({st} {out})")
EOF
rc=$?
check "the requests are sent (python: $(tail -3 "$T/py.err"))" test "$rc" -eq 0
while read -r verdict name; do
    if [ "$verdict" = ok ]; then ok; else bad "$name"; fi
done <"$T/results"
check "every check ran" test "$(wc -l <"$T/results")" -ge 60

# The log: four probes recorded, refused, by the head of service; the three that are not identifiers
# without the bytes (no child_id), the ASCII one with its identifier.
q() { sqlite3 "file:$T/c.db?mode=ro" "$1"; }
check "the ASCII probe is recorded" \
    test "$(q "SELECT count(*) FROM record_access WHERE child_id = 'NOSUCHCHILD' AND allowed = 0")" = 1
check "the probes that are not identifiers are recorded, without them" \
    test "$(q "SELECT count(*) FROM record_access WHERE child_id IS NULL AND allowed = 0 AND
               actor = 'user:hos' AND what = 'GET /api/v1/children/{id} (not an identifier)'")" = 3
check "the log holds no byte that is not UTF-8" \
    test "$(q "SELECT count(*) FROM entries WHERE instr(leaf, X'FF') > 0 OR instr(leaf, X'FE') > 0
               OR instr(CAST(leaf AS TEXT), '%FF') > 0")" = 0

kill -TERM "$PID"
wait "$PID"
check "the server stops cleanly" test $? -eq 0
PID=
run verify --db "$T/c.db"
expect_rc 0 "the log verifies"
finish headers_test
