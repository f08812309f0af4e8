# TEST DOUBLE of OpenWrt's rules.mk, for tests/openwrt/check-package.sh:
# only what dist/openwrt/sluice/Makefile uses, with the host's compiler and
# OpenWrt's usual target flags.  Not OpenWrt's code.
INCLUDE_DIR := $(TOPDIR)/include
BUILD_DIR := $(STUB_OUT)/build
CP := cp -fpR
INSTALL_DIR := install -d -m0755
INSTALL_BIN := install -m0755
INSTALL_DATA := install -m0644
INSTALL_CONF := install -m0600
PKG_CONFIG := pkg-config
TARGET_CC := gcc
TARGET_CONFIGURE_OPTS := CC="$(TARGET_CC)" AR="ar" RANLIB="ranlib" STRIP="strip"
TARGET_CFLAGS := -Os -pipe -fno-caller-saves -fno-plt \
	-Wno-error=unused-but-set-variable -Wno-error=unused-result \
	-fstack-protector -D_FORTIFY_SOURCE=1 -Wformat -Werror=format-security
TARGET_CPPFLAGS :=
TARGET_LDFLAGS := -Wl,-z,now -Wl,-z,relro
PKG_JOBS := -j2
