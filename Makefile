# sluice: top-level build.
#
#   make                  module for the running kernel (or every kernel with
#                         headers installed, if it has none) + userspace
#   make modules KVER=V   module for kernel V, built in build/V/sluice.ko
#   make userspace        sluicectl, sluiced and the test tools
#   make check            every test: unit, fuzz (short), VM on both kernels
#                         (check-unit, -style, -dkms, -fuzz, -vm: one part)
#   make check-debug      VM suite on a KASAN/lockdep/kmemleak 6.12 kernel
#   make demo             boot a guest and show sluice splitting traffic
#   make fuzz / soak      long fuzzing / a 10-minute soak (docs/reliability.md)
#   make check-faults     fault scenarios on both kernels (docs/reliability.md)
#   make check-cross      arm64/mipsel/mips/musl builds, unit tests (docs/cross.md)
#   make install          sluicectl, sluiced, man pages, unit (uninstall)
#   make dkms-install     module through dkms (dkms-uninstall)
#   make deb              Debian packages in build/deb/ (check-packages)
#
# Kernel headers: KDIR overrides /lib/modules/$(KVER)/build.  CFLAGS,
# CPPFLAGS and LDFLAGS are added to what userspace needs; WERROR=1 makes
# its warnings errors (make check).  docs/install.md: every install variable.

ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VERSION := $(shell cat $(ROOT)/VERSION)
$(if $(VERSION),,$(error sluice: $(ROOT)/VERSION is missing or empty))
PREFIX ?= /usr/local
DESTDIR ?=
# modules-load.d: the admin's directory for `make install`; a package
# uses the vendor one (/usr/lib/modules-load.d).
MODULESLOADDIR ?= /etc/modules-load.d

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
.PHONY: progs uninstall dkms-source dkms-uninstall deb check-packages

all: userspace
ifneq ($(wildcard /lib/modules/$(RUNNING)/build),)
all: modules
else
all: modules-all
endif

help:
	@sed -n '3,20p' $(ROOT)/Makefile | sed 's/^# \{0,1\}//'

# One copy of the tree per kernel: kbuild writes objects next to sources.
modules: $(KMOD_SRCS)
	@test -d "$(KDIR)" || { echo "sluice: no kernel headers in $(KDIR)" \
		"(apt-get install linux-headers-$(KVER), or set KVER=/KDIR=;" \
		"installed: $(or $(HEADER_KVERS),none))" >&2; exit 1; }
	@mkdir -p $(ROOT)/build/$(KVER)/kmod/uapi/linux
	@cp -u $(ROOT)/Kbuild $(ROOT)/VERSION $(ROOT)/build/$(KVER)/
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

# progs: what is installed; userspace: that and the guests' test tools.
progs:
	$(MAKE) -C $(ROOT)/userspace
	$(MAKE) -C $(ROOT)/userspace/sluiced

userspace: progs
	$(MAKE) -C $(ROOT)/tests/tools

deps:
	@$(ROOT)/tests/deps.sh

check:
	@$(ROOT)/tests/check.sh

# Parts of make check, each the same command as its step in tests/check.sh.
check-unit:
	$(MAKE) -C $(ROOT)/tests/unit all
	$(MAKE) -s -C $(ROOT)/tests/unit run

check-style:
	cp=$$($(ROOT)/tests/checkpatch-path.sh) && cd $(ROOT) && \
		$$cp --no-tree -q -f kmod/*.c kmod/*.h kmod/uapi/linux/*.h

check-dkms:
	$(ROOT)/tests/dkms-check.sh $$($(ROOT)/tests/kernels.sh)

check-fuzz:
	$(MAKE) -C $(ROOT)/tests/fuzz run FUZZ_SECONDS=$${FUZZ_SECONDS:-15}

check-vm: modules-all userspace
	$(ROOT)/tests/vm/run $${VM_TESTS:-}

# Both Debian packages built and linted; tests/pkg/check-deb.sh.
check-packages:
	@$(ROOT)/tests/pkg/check-deb.sh

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

# Programs and man pages under PREFIX, the systemd unit in SYSTEMDUNITDIR
# (default: systemd's own answer, else /usr/lib/systemd/system; its paths
# follow PREFIX), the modules-load.d entry, and an example config (never
# over an existing one).  uninstall removes the same files, the config
# only if it is still the example.
install: progs
	$(MAKE) -C $(ROOT)/userspace install
	$(MAKE) -C $(ROOT)/userspace/sluiced install
	install -d $(DESTDIR)$(MODULESLOADDIR) $(DESTDIR)/etc/sluice
	install -m 0644 $(ROOT)/dist/modules-load.d/sluice.conf \
		$(DESTDIR)$(MODULESLOADDIR)/sluice.conf
	test -e $(DESTDIR)/etc/sluice/sluiced.conf || install -m 0644 \
		$(ROOT)/dist/sluiced.conf.example $(DESTDIR)/etc/sluice/sluiced.conf
	@echo "installed; the module: make dkms-install, or the sluice-dkms package"

uninstall:
	$(MAKE) -C $(ROOT)/userspace uninstall
	$(MAKE) -C $(ROOT)/userspace/sluiced uninstall
	rm -f $(DESTDIR)$(MODULESLOADDIR)/sluice.conf
	@c=$(DESTDIR)/etc/sluice/sluiced.conf; \
	if cmp -s $$c $(ROOT)/dist/sluiced.conf.example; then \
		echo "rm -f $$c"; rm -f $$c; \
		rmdir --ignore-fail-on-non-empty $(DESTDIR)/etc/sluice; \
	elif [ -e $$c ]; then echo "kept $$c (edited)"; fi

# The module source dkms builds from: DESTDIR/usr/src/sluice-VERSION (with
# the version written into its dkms.conf).  A package installs this.
DKMS_SRC = $(DESTDIR)/usr/src/sluice-$(VERSION)
dkms-source:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)/kmod/uapi/linux
	cp $(ROOT)/Kbuild $(ROOT)/VERSION $(DKMS_SRC)/
	sed 's/#MODULE_VERSION#/$(VERSION)/' $(ROOT)/dkms.conf >$(DKMS_SRC)/dkms.conf
	cp $(ROOT)/kmod/*.c $(ROOT)/kmod/*.h $(ROOT)/kmod/*.sh $(DKMS_SRC)/kmod/
	cp $(ROOT)/kmod/uapi/linux/*.h $(DKMS_SRC)/kmod/uapi/linux/
	chmod -R u=rwX,go=rX $(DKMS_SRC)

# On this machine: the same version is removed from dkms first, so that
# reinstalling it rebuilds; dkms then builds and installs for the running
# kernel (KVER=V: for V) and runs depmod, so that `modprobe sluice` loads
# its netfilter dependencies too.
dkms-install:
	@test -z "$(DESTDIR)" || { echo "sluice: dkms-install is for this" \
		"machine; a package uses: make dkms-source DESTDIR=..." >&2; exit 1; }
	if [ -n "$$(dkms status sluice/$(VERSION))" ]; then \
		dkms remove sluice/$(VERSION) --all; fi
	$(MAKE) --no-print-directory dkms-source
	dkms add sluice/$(VERSION)
	dkms install sluice/$(VERSION) -k $(KVER)

dkms-uninstall:
	@test -z "$(DESTDIR)" || { echo "sluice: dkms-uninstall is for this" \
		"machine" >&2; exit 1; }
	if [ -n "$$(dkms status sluice/$(VERSION))" ]; then \
		dkms remove sluice/$(VERSION) --all; fi
	rm -rf /usr/src/sluice-$(VERSION)

# Debian packages (debian/), built from a copy of the tree in build/deb/
# so that dpkg-buildpackage's files land in build/deb/ and not beside
# the checkout.  DEB_BUILD_OPTIONS etc. pass through.
deb:
	rm -rf $(ROOT)/build/deb
	mkdir -p $(ROOT)/build/deb/sluice-$(VERSION)
	tar -C $(ROOT) --exclude=./build --exclude=./.git -cf - . | \
		tar -C $(ROOT)/build/deb/sluice-$(VERSION) -xf -
	cd $(ROOT)/build/deb/sluice-$(VERSION) && \
		{ dpkg-buildpackage -us -uc -b 2>&1; echo $$? >../build.rc; } | \
		tee ../build.log; exit $$(cat ../build.rc)
	rm -rf $(ROOT)/build/deb/sluice-$(VERSION)
	@ls $(ROOT)/build/deb/*.deb

clean:
	rm -rf $(ROOT)/build
	-$(MAKE) -C $(ROOT)/userspace clean
	-$(MAKE) -C $(ROOT)/userspace/sluiced clean
	-$(MAKE) -C $(ROOT)/tests/tools clean
	-$(MAKE) -C $(ROOT)/tests/unit clean
	-$(MAKE) -C $(ROOT)/tests/fuzz clean
