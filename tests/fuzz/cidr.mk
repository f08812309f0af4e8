# cidr_set (kmod/cidr_set.c) against the naive model of tests/unit.
FUZZERS += fuzz_cidr_set
fuzz_cidr_set_SRCS := fuzz_cidr_set.c ../unit/cidr_model.c ../../kmod/cidr_set.c
fuzz_cidr_set: CFLAGS += -I$(ROOT)/tests/unit
