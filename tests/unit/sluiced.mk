# sluiced (userspace/sluiced): config parser, JSON server extraction,
# restart backoff, rtnetlink address handling.  Pure code, no sockets.
SD := ../../userspace/sluiced
SD_LIB := $(addprefix ../../userspace/lib/, prefix.c config.c names.c mac.c)

TESTS += test_sluiced_conf
test_sluiced_conf_SRCS := test_sluiced_conf.c $(SD)/conf.c $(SD_LIB)

TESTS += test_sluiced_servers
test_sluiced_servers_SRCS := test_sluiced_servers.c $(SD)/servers.c
test_sluiced_servers_LDLIBS := -ljson-c

TESTS += test_sluiced_backoff
test_sluiced_backoff_SRCS := test_sluiced_backoff.c $(SD)/backoff.c

TESTS += test_sluiced_addr
test_sluiced_addr_SRCS := test_sluiced_addr.c $(SD)/addrtab.c $(SD)/rtmsg.c \
	$(SD)/resolve.c $(SD)/servers.c $(SD)/proc.c $(SD)/log.c $(SD)/conf.c \
	$(SD_LIB)
test_sluiced_addr_LDLIBS := -lmnl -ljson-c

TESTS += test_sluiced_cgroup
test_sluiced_cgroup_SRCS := test_sluiced_cgroup.c $(SD)/cgroup.c $(SD)/orphan.c \
	$(SD)/diag.c $(SD)/proc.c \
	$(SD)/log.c $(SD)/conf.c $(SD_LIB)
test_sluiced_cgroup_LDLIBS := -lmnl

TESTS += test_sluiced_hang
test_sluiced_hang_SRCS := test_sluiced_hang.c $(SD)/hang.c

TESTS += test_sluiced_orphan
test_sluiced_orphan_SRCS := test_sluiced_orphan.c $(SD)/orphan.c \
	$(SD)/diag.c $(SD)/log.c $(SD)/conf.c $(SD_LIB)
test_sluiced_orphan_LDLIBS := -lmnl

TESTS += test_sluiced_proc
test_sluiced_proc_SRCS := test_sluiced_proc.c $(SD)/proc.c $(SD)/log.c \
	$(SD)/conf.c $(SD_LIB)
