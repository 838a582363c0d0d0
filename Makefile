# ibcnet: `make up` runs the stack, `make test` tests it. CMake does the build.
BUILD ?= build
JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory

.PHONY: all build up down status test unit clean deps format fuzz sanitize

all: build

deps:
	@scripts/install-deps --if-missing

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

up: build
	@scripts/stack up
	@. "$${IBC_RUN_DIR:-.run}/env" && echo "ibcnet is up at $$IBC_GATEWAY_URL  (source .run/env; make down stops it)"

down:
	@scripts/stack down

status:
	@scripts/stack status

# unit and integration tests; the integration tests start their own stack on
# other ports (tests/integration/stack-fixture) and stop it at the end
test: build
	@cd $(BUILD) && ctest --output-on-failure --timeout 300

unit: build
	@cd $(BUILD) && ctest --output-on-failure -L unit

# the libFuzzer targets (tests/fuzz) in build-fuzz, FUZZ_SECONDS each (CI: 25)
FUZZ_SECONDS ?= 300
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/ci-fuzz

# unit and integration tests once more under ASan and UBSan, in build-asan
sanitize: deps
	@scripts/ci-sanitize

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
