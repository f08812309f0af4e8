# sluice: top-level build.
#
#   make                  module for the running kernel (or every kernel with
#                         headers installed, if it has none) + userspace
#   make modules KVER=V   module for kernel V, built in build/V/sluice.ko
#   make userspace        sluicectl (and sluiced)
#   make check            every test: unit, fuzz (short), VM on both kernels
#   make check-debug      VM suite on a KASAN/lockdep/kmemleak 6.12 kernel
#   make demo             boot a guest and show sluice splitting traffic
#   make fuzz / soak      long fuzzing / a 10-minute soak (docs/reliability.md)
#   make check-faults     fault scenarios on both kernels (docs/reliability.md)
#   make check-cross      arm64/mipsel/mips/musl builds, unit tests (docs/cross.md)
#   make install          userspace, man pages, dkms source
#
# Kernel headers: KDIR overrides /lib/modules/$(KVER)/build.

VERSION := 0.1.0
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
PREFIX ?= /usr/local
DESTDIR ?=

RUNNING := $(shell uname -r)
KVER ?= $(RUNNING)
KDIR ?= /lib/modules/$(KVER)/build
# Every kernel on this machine that has headers, newest last.
HEADER_KVERS := $(sort $(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*/build))))

KMOD_SRCS := $(wildcard $(ROOT)/kmod/*.c $(ROOT)/kmod/*.h \
		$(ROOT)/kmod/*.sh $(ROOT)/kmod/uapi/linux/*.h) $(ROOT)/Kbuild

.PHONY: all modules modules-all userspace check check-unit check-fuzz \
	check-vm check-style check-dkms demo deps install dkms-install \
	clean help bench

all: userspace
ifneq ($(wildcard /lib/modules/$(RUNNING)/build),)
all: modules
else
all: modules-all
endif

help:
	@sed -n '3,15p' $(ROOT)/Makefile | sed 's/^# \{0,1\}//'

# One copy of the tree per kernel: kbuild writes objects next to sources.
modules: $(KMOD_SRCS)
	@test -d "$(KDIR)" || { echo "sluice: no kernel headers in $(KDIR)" \
		"(apt-get install linux-headers-$(KVER), or set KVER=/KDIR=;" \
		"installed: $(or $(HEADER_KVERS),none))" >&2; exit 1; }
	@mkdir -p $(ROOT)/build/$(KVER)/kmod/uapi/linux
	@cp -u $(ROOT)/Kbuild $(ROOT)/build/$(KVER)/
	@cp -u $(ROOT)/kmod/*.c $(ROOT)/kmod/*.h $(ROOT)/kmod/*.sh \
		$(ROOT)/build/$(KVER)/kmod/
	@cp -u $(ROOT)/kmod/uapi/linux/*.h $(ROOT)/build/$(KVER)/kmod/uapi/linux/
	$(MAKE) -C $(KDIR) M=$(ROOT)/build/$(KVER) modules

modules-all:
	@test -n "$(HEADER_KVERS)" || { echo "sluice: no kernel headers" \
		"installed (make deps)" >&2; exit 1; }
	@for k in $(HEADER_KVERS); do \
		$(MAKE) --no-print-directory modules KVER=$$k KDIR=/lib/modules/$$k/build || exit 1; \
	done

userspace:
	$(MAKE) -C $(ROOT)/userspace
	$(MAKE) -C $(ROOT)/userspace/sluiced
	$(MAKE) -C $(ROOT)/tests/tools

deps:
	@$(ROOT)/tests/deps.sh

check:
	@$(ROOT)/tests/check.sh

# The whole VM suite on a KASAN/lockdep/kmemleak kernel built (once, cached
# in /var/cache/sluice/debug-kernel) from linux-source-6.12; see docs/testing.md.
.PHONY: check-debug
check-debug:
	@$(ROOT)/tests/debug/check.sh

demo:
	@$(ROOT)/tests/demo.sh

bench:
	@$(ROOT)/tests/bench/run.sh

# libFuzzer targets for FUZZ_SECONDS (default 120) each, then the netlink
# fuzzer in both kernels' guests, NLFUZZ_N (default 1000000) requests.
.PHONY: fuzz
fuzz:
	@$(ROOT)/tests/fuzz/run-all.sh

# sluice.ko, userspace and unit tests for arm64, mipsel, mips and musl
# (cross builds, qemu-user); see docs/cross.md.
.PHONY: check-cross
check-cross:
	@$(ROOT)/tests/cross/check.sh

# The fault scenarios (tests/vm/faults/) on both kernels; docs/reliability.md.
.PHONY: check-faults
check-faults:
	@$(ROOT)/tests/vm/check-faults.sh

# A guest under load for SOAK_SECONDS (default 600); see docs/reliability.md.
.PHONY: soak
soak:
	@$(ROOT)/tests/soak/run.sh

# The OpenWrt package: DEPENDS, shell scripts, recipes (docs/openwrt.md).
.PHONY: check-openwrt
check-openwrt:
	@r=0; for t in depends shell package; do $(ROOT)/tests/openwrt/check-$$t.sh || r=1; done; exit $$r

# Programs and man pages under PREFIX; the systemd unit (its paths follow
# PREFIX), the modules-load.d entry and an example config (never over an
# existing one) go where the system looks for them.
install: userspace
	$(MAKE) -C $(ROOT)/userspace install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	$(MAKE) -C $(ROOT)/userspace/sluiced install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	install -d $(DESTDIR)/lib/systemd/system $(DESTDIR)/etc/modules-load.d \
		$(DESTDIR)/etc/sluice
	sed 's|/usr/sbin/sluiced|$(PREFIX)/sbin/sluiced|g' \
		$(ROOT)/dist/systemd/sluiced.service \
		>$(DESTDIR)/lib/systemd/system/sluiced.service
	install -m 0644 $(ROOT)/dist/modules-load.d/sluice.conf \
		$(DESTDIR)/etc/modules-load.d/sluice.conf
	test -e $(DESTDIR)/etc/sluice/sluiced.conf || install -m 0644 \
		$(ROOT)/dist/sluiced.conf.example $(DESTDIR)/etc/sluice/sluiced.conf
	@echo "installed; module: make dkms-install (then dkms install), or insmod build/KVER/sluice.ko"

# dkms builds from /usr/src/sluice-VERSION, a copy of what it needs.
dkms-install:
	rm -rf $(DESTDIR)/usr/src/sluice-$(VERSION)
	mkdir -p $(DESTDIR)/usr/src/sluice-$(VERSION)/kmod/uapi/linux
	cp $(ROOT)/Kbuild $(ROOT)/dkms.conf $(DESTDIR)/usr/src/sluice-$(VERSION)/
	cp $(ROOT)/kmod/*.c $(ROOT)/kmod/*.h $(ROOT)/kmod/*.sh \
		$(DESTDIR)/usr/src/sluice-$(VERSION)/kmod/
	cp $(ROOT)/kmod/uapi/linux/*.h \
		$(DESTDIR)/usr/src/sluice-$(VERSION)/kmod/uapi/linux/
	@echo "now: dkms add sluice/$(VERSION) && dkms install sluice/$(VERSION)"

clean:
	rm -rf $(ROOT)/build
	-$(MAKE) -C $(ROOT)/userspace clean
	-$(MAKE) -C $(ROOT)/userspace/sluiced clean
	-$(MAKE) -C $(ROOT)/tests/tools clean
	-$(MAKE) -C $(ROOT)/tests/unit clean
	-$(MAKE) -C $(ROOT)/tests/fuzz clean
