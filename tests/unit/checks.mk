# sluicectl's namespace checks (userspace/lib): the ruleset scanners (nft
# JSON, iptables-save text), the sysctl rules against a fake /proc/sys,
# and the command runner.
TESTS += test_checks
test_checks_SRCS := test_checks.c $(addprefix ../../userspace/lib/, \
	warn.c rules_scan.c sysctl_check.c runcmd.c)
test_checks_LDLIBS := -ljson-c

TESTS += test_client_check
test_client_check_SRCS := test_client_check.c \
	../../userspace/lib/client_check.c ../../userspace/lib/warn.c
