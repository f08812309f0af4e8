# Read by tests/cross/*.sh after a directory's own Makefile
# (make -f Makefile -f print.mk ...) to learn its lists without
# repeating them: cross-print-VAR prints $(VAR); cross-unit-list prints
# each unit test's name and its extra libraries.
cross-print-%:
	@echo $($*)

cross-unit-list:
	@$(foreach t,$(TESTS),echo '$(t) $($(t)_LDLIBS)';)

.PHONY: cross-unit-list
