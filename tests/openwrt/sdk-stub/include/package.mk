# TEST DOUBLE of OpenWrt's include/package.mk (see rules.mk).  Instead of
# building .apk/.ipk files it runs the package's Build/Prepare,
# Build/Compile and install recipes into STUB_OUT/root-PACKAGE, and
# prints the metadata the real one would put in the package index.
PKG_BUILD_DIR ?= $(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)
.DEFAULT_GOAL := stub-all

define BuildPackage
  $(eval $(call Package/$(1)))
  STUB_PACKAGES += $(1)
  STUB_DEPENDS_$(1) := $(DEPENDS)
  DEPENDS :=
endef

define KernelPackage
  $(eval $(call KernelPackage/$(1)))
  STUB_KMODS += kmod-$(1)
  STUB_DEPENDS_kmod-$(1) := $(DEPENDS)
  STUB_FILES_kmod-$(1) := $(FILES)
  STUB_AUTOLOAD_kmod-$(1) := $(AUTOLOAD)
  DEPENDS :=
endef

stub-prepare:
	rm -rf $(PKG_BUILD_DIR)
	$(Build/Prepare)

stub-compile: stub-prepare
	$(Build/Compile)

stub-all: stub-compile
	$(foreach p,$(STUB_PACKAGES),rm -rf $(STUB_OUT)/root-$(p); \
		mkdir -p $(STUB_OUT)/root-$(p);)
	$(foreach p,$(STUB_PACKAGES),$(call Package/$(p)/install,$(STUB_OUT)/root-$(p)))
	$(foreach k,$(STUB_KMODS),rm -rf $(STUB_OUT)/root-$(k); \
		mkdir -p $(STUB_OUT)/root-$(k)/lib/modules; \
		cp $(STUB_FILES_$(k)) $(STUB_OUT)/root-$(k)/lib/modules/;)

stub-print-%:
	@echo '$($*)'

.PHONY: stub-prepare stub-compile stub-all
