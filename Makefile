# caseward — top-level entry points. The real build is CMake (CMakeLists.txt);
# this file only gives the commands the README promises.
#   make          build everything into build/ (binary: build/caseward)
#   make run      install missing packages, build, create the demo log, serve
#                 the API and the web application
#   make test     build both ways and run every test once: under ASan+UBSan, but for the
#                 PostgreSQL browser journeys and largest suites (plain build); check format
#   make bench    build optimised and print benchmark figures, SQLite beside PostgreSQL
#   make fuzz     run the libFuzzer targets in fuzz/ (FUZZ_SECONDS each, default 60; only
#                 some: FUZZ_TARGETS="http command"; docs/fuzzing.md)
#   make soak     build optimised and run wrk against the server for SOAK_SECONDS (default
#                 300) with a mixed read/write profile, printing its memory over time; fails
#                 on any error or on memory that keeps growing (bench/soak.sh)
#   make crash-soak  the kill -9 loop at length: CRASH_ROUNDS (default 500) appending writers
#                 killed at random, each restart verified (make test runs 40 rounds)
#   make format   reformat the C sources with clang-format

BUILD      ?= build
ASAN_BUILD ?= build-asan
BENCH_BUILD ?= build-bench
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_DB    ?= demo/caseward.db
# The rules and measures benchmarks' council on SQLite: 500000 is the national size (~20M
# events, long).
BENCH_CHILDREN ?= 20000
# SQLite beside PostgreSQL (bench/pg_bench.sh, docs/postgres.md "Benchmarks"): the ledger
# benchmark's events, and the one council of the rules, measures and HTTP benchmarks (HTTP:
# wrk beside nginx, HTTP_BENCH_SECONDS per run), the same on both backends; a smaller council
# than above, since a demo council is made much more slowly on PostgreSQL. For the server's
# memory at the national size, give bench/http_bench.sh a council to keep and reuse (created
# on the first run, which takes minutes; the runs append to it):
#   bench/http_bench.sh build-bench --children 500000 --db /var/tmp/national.db
BENCH_EVENTS ?= 100000
PG_BENCH_CHILDREN ?= 2000
HTTP_BENCH_SECONDS ?= 10
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
# The soak (bench/soak.sh): how long wrk runs, and the demo council's size.
SOAK_SECONDS  ?= 300
SOAK_CHILDREN ?= 1000
CRASH_ROUNDS ?= 500
FUZZ_TARGETS ?=
C_SOURCES  = $(shell find src tests bench fuzz -name '*.[ch]' 2>/dev/null)

.PHONY: all deps web build run test test-unit test-plain test-asan test-browser lint format format-check bench fuzz soak crash-soak clean

all: build

deps:
	@scripts/install-deps

# The web application's assets (npm ci when package-lock.json changed, then
# GOV.UK Frontend compiled with caseward's settings into web/dist/).
web: deps
	@scripts/web-build

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: deps web build
	@scripts/run-demo $(BUILD)/caseward $(DEMO_DB)

test: deps web lint format-check test-unit test-asan

# Every test runs once in `make test`. The sanitizer build (test-asan) runs all of them but
# those labelled plain_only (CMakeLists.txt): the browser journeys on SQLite among them, against
# the sanitizer build's server, so ASan and UBSan watch the C code every suite drives. The plain
# build (test-unit) runs the plain_only ones: the browser journeys and the largest suites on
# PostgreSQL, whose C code the other PostgreSQL suites run under the sanitizers. Both builds
# are compiled (warnings are errors in each). Running every suite a second time in the plain
# build took `make test` past its 15 minutes on 2 cores; `make test-plain` still does that,
# and test-browser runs the SQLite journeys on the plain build.
test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L plain_only

test-plain: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -E '^browser_test$$' -LE asan_only

test-browser: deps web build
	cd $(BUILD) && ctest --output-on-failure -R '^browser_test$$'

test-asan:
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCW_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j$(JOBS) \
	  -LE plain_only

lint:
	@scripts/lint

format:
	clang-format -i $(C_SOURCES)

format-check:
	@clang-format --dry-run --Werror $(C_SOURCES) && echo "format: ok"

fuzz: deps
	@scripts/install-deps --fuzz
	scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: deps
	@scripts/install-deps --bench
	@cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BENCH_BUILD) -j$(JOBS)
	$(BENCH_BUILD)/bench/rules_bench --children $(BENCH_CHILDREN)
	$(BENCH_BUILD)/bench/measures_bench --children $(BENCH_CHILDREN)
	bench/pg_bench.sh $(BENCH_BUILD) --events $(BENCH_EVENTS) --children $(PG_BENCH_CHILDREN) \
	  --duration $(HTTP_BENCH_SECONDS)

soak: deps
	@scripts/install-deps --bench
	@cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BENCH_BUILD) -j$(JOBS)
	bench/soak.sh $(BENCH_BUILD) --seconds $(SOAK_SECONDS) --children $(SOAK_CHILDREN)

# The figures: rounds, entries, acknowledgements, and rounds whose kill came after a commit
# the writer had not yet acknowledged (tests/crash_test.c; docs/faults.md).
crash-soak: build
	cd $(BUILD) && CW_CRASH_ROUNDS=$(CRASH_ROUNDS) ./tests/crash_test

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(BENCH_BUILD) $(FUZZ_BUILD) web/dist
