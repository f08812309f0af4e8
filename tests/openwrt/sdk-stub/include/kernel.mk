# TEST DOUBLE of OpenWrt's include/kernel.mk (see rules.mk): the host's
# kernel headers stand for the target kernel.
LINUX_DIR := $(STUB_LINUX_DIR)
LINUX_KMOD_SUFFIX := ko
KERNEL_MAKE = $(MAKE) -C $(LINUX_DIR)
define AutoProbe
  probe_module "$(1)" "$(2)";
endef
