# Per-flow verdicts (issue 16), userspace side: `set ct-mask`, the
# flush-flows arguments and their FLOWS_FLUSH encoding, the reply's
# FLOWS, the new counter names, and sluiced.conf's ct-mask and
# flush-flows-on-reload.
TESTS += test_flows
test_flows_SRCS := test_flows.c ../../userspace/sluiced/conf.c \
	$(addprefix ../../userspace/lib/, prefix.c config.c names.c attrs.c mac.c)
test_flows_LDLIBS := -lmnl
