# LobeDice: make demo | make demo-batch | make test | make test-slurm | make deps | make build |
# make fuzz | make clean
# Run as root on Debian (bookworm): `make deps` installs only the packages that are missing.

BUILD_DIR ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# Extra configure options, e.g. CMAKE_ARGS=-DLOBEDICE_DEVELOPER=ON (as CI does).
CMAKE_ARGS ?=
DEMO_DIR ?= demo-out
DEMO_BATCH_DIR ?= demo-batch-out
# make fuzz: seconds per fuzz target, and the libFuzzer build's folder.
FUZZ_SECONDS ?= 60
FUZZ_DIR ?= build-fuzz
FUZZ_TARGETS = fuzz_overlap fuzz_surface fuzz_loss fuzz_cli_args fuzz_read

# Build tools, the libraries the parts use (libvtk9-dev: issue 2 has make deps install it), and
# what the tests and CI run (libxml2-utils: xmllint in the cli tests; clang-format and git:
# .ci/run checks the formatting of the files git lists; valgrind: .ci/run runs the cli tests
# under it; clang and libclang-rt-14-dev: libFuzzer for make fuzz).
DEB_PACKAGES = gcc g++ make cmake pkg-config zlib1g-dev \
	libinsighttoolkit5-dev libvtk9-dev libx11-dev libjansson-dev libxml2-dev libxml2-utils \
	clang-format git clang libclang-rt-14-dev valgrind xvfb xauth

.PHONY: all deps build test test-slurm demo demo-batch fuzz clean

all: build

deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	else \
	  echo "All Debian packages are installed."; \
	fi

build:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS)
	cmake --build $(BUILD_DIR) --parallel $(JOBS)

# The Slurm test (label slurm) installs Slurm and starts daemons: only `make test-slurm` runs it.
test: deps build
	cd $(BUILD_DIR) && ctest --output-on-failure --parallel $(JOBS) -LE slurm

test-slurm: deps build
	cd $(BUILD_DIR) && ctest --output-on-failure -L slurm

# Each fuzz target for FUZZ_SECONDS seconds (libFuzzer, with address and undefined-behaviour
# sanitizers), from the seeds in testing/fuzz/corpus; prints exec/s and coverage per target.
fuzz: deps
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
	  -DCMAKE_CXX_COMPILER=clang++ -DLOBEDICE_FUZZ=ON -DLOBEDICE_BENCHMARKS=OFF \
	  "-DCMAKE_C_FLAGS=-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
	  "-DCMAKE_CXX_FLAGS=-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -include $(CURDIR)/testing/fuzz/itk_clang_shim.h"
	cmake --build $(FUZZ_DIR) --parallel $(JOBS) --target $(FUZZ_TARGETS)
	./testing/fuzz/run_fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

demo: deps build
	@./testing/demo.sh $(BUILD_DIR) $(DEMO_DIR)

demo-batch: deps build
	@./testing/demo_batch.sh $(BUILD_DIR) $(DEMO_BATCH_DIR)

clean:
	rm -rf $(BUILD_DIR) $(DEMO_DIR) $(DEMO_BATCH_DIR) $(FUZZ_DIR)
