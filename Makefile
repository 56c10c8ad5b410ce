# SPDX-License-Identifier: GPL-2.0
#
# Top-level wrapper: the module is built by kbuild (kmod/Kbuild), the tool
# by ctl/Makefile. See README.md.

KV_RUNNING := $(shell uname -r)
# The running kernel's build tree if it has one, else the newest Debian
# headers installed (this machine's own kernel cannot load modules).
KDIR ?= $(shell if [ -d /lib/modules/$(KV_RUNNING)/build ]; then \
	echo /lib/modules/$(KV_RUNNING)/build; else \
	ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1; fi)
export KDIR

.PHONY: all module ctl deps check check-ctl check-kunit check-vm check-debug demo \
	style clean
all: module ctl

module:
	@test -n "$(KDIR)" || { echo "no kernel headers: run 'make deps'" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod modules

ctl:
	$(MAKE) -C ctl

deps:
	tests/deps.sh

# The test command of README.md: every suite, fails if any part fails.
check: deps
	tests/check.sh

check-ctl: ctl
	$(MAKE) -C ctl check

check-kunit:
	tests/kunit/run.sh

check-vm: all
	tests/vm/run.sh

# The leak suite with a real Tor daemon, then the same probes without the
# module (tests/vm/scenarios/5*): a table of what torfw did, case by case,
# ending with the leak detector's verdicts.
DEMO_SCENARIOS := 50-leaks 51-leaks-lan 52-leaks-tor 53-leaks-local \
	54-leaks-detector 55-anti
# The VM suite on a KASAN/lockdep/kmemleak kernel built once (~1 h cold).
check-debug: deps
	tests/debug/run.sh

demo: deps all
	TORFW_VM_TIMEOUT=$${TORFW_VM_TIMEOUT:-1200} tests/vm/run.sh --demo $(DEMO_SCENARIOS)

# The style part of make check (tests/style.sh): checkpatch on kmod/ (from
# the kernel source that tests/kunit unpacks into TORFW_CACHE), sparse on
# the module against KDIR, shellcheck on every shell script.
TORFW_CACHE ?= /var/cache/torfw
style:
	TORFW_CACHE=$(TORFW_CACHE) tests/style.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean
	-$(MAKE) -C ctl clean

# Packaging and boot integration (dkms/, tests/boot/). dkms-install
# registers kmod/ with DKMS as /usr/src/torfw-VERSION; deb builds
# torfwctl, torfw, torfw-dkms and torfw-modules-KVERS into build/deb/ and
# runs lintian (no error, no warning); check-boot boots a Debian root file
# system with the packages installed, with the module missing or refused,
# and with the tool alone (tests/boot/run.sh, cached in
# $(TORFW_CACHE)/boot-rootfs).
.PHONY: dkms-install deb check-boot
dkms-install:
	dkms/dkms-install.sh

deb: deps
	dkms/build-deb.sh

check-boot: deb
	TORFW_CACHE=$(TORFW_CACHE) tests/boot/run.sh

# Benchmarks (tests/bench/README.md): one VM boot under qemu -icount, every
# contender (no filter, conntrack only, iptables nft/legacy, nftables,
# torfw) interleaved over 5 rounds; writes bench/results.{json,md,png}.
.PHONY: bench
bench: deps all
	tests/bench/run.sh
