# The two commands a newcomer needs: `make demo` and `make test`. Both install what is missing
# (scripts/bootstrap), configure and build, then run the demo or every test.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc)

.PHONY: all bootstrap configure build test demo bench fuzz clean

all: build

bootstrap:
	@scripts/bootstrap

configure: bootstrap
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@scripts/run-tests $(BUILD)

demo: build
	@scripts/demo $(BUILD)

bench: bootstrap
	@cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-release -j $(JOBS)
	@/usr/bin/python3 bench/ingest_vs_pandas.py --kiln-bench build-release/bench/ingest_bench
	@/usr/bin/python3 bench/train_vs_python.py --kiln build-release/kiln
	@build-release/bench/tree_runtime_bench

fuzz: bootstrap
	@scripts/fuzz-smoke 30

clean:
	rm -rf $(BUILD) build-asan build-fuzz build-release
