# sluicectl list-file parser (userspace/lib/prefix.c).
FUZZERS += fuzz_listfile
fuzz_listfile_SRCS := fuzz_listfile.c ../../userspace/lib/prefix.c
