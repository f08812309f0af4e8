# sluicectl parsers (userspace/lib): prefixes, list files, `set` pairs,
# names, and the netlink attribute/extack codecs (no socket needed).
TESTS += test_prefix
test_prefix_SRCS := test_prefix.c $(addprefix ../../userspace/lib/, \
	prefix.c config.c names.c attrs.c nl.c)
test_prefix_LDLIBS := -lmnl
