# sluicectl parsers (userspace/lib): prefixes, list files, `set` pairs,
# names, and the netlink attribute/extack codecs (no socket needed).
TESTS += test_prefix
test_prefix_SRCS := test_prefix.c $(addprefix ../../userspace/lib/, \
	prefix.c config.c names.c attrs.c nl.c mac.c)
test_prefix_LDLIBS := -lmnl

# The lists and issue-7 settings: set keys, MAC addresses, -L, names.
TESTS += test_cli_keys
test_cli_keys_SRCS := test_cli_keys.c $(addprefix ../../userspace/lib/, \
	prefix.c config.c names.c attrs.c mac.c)
test_cli_keys_LDLIBS := -lmnl
