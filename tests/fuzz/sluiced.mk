# sluiced: config parser and JSON server extraction (userspace/sluiced).
SD := ../../userspace/sluiced
FUZZERS += fuzz_sluiced_conf
fuzz_sluiced_conf_SRCS := fuzz_sluiced_conf.c $(SD)/conf.c \
	$(addprefix ../../userspace/lib/, prefix.c config.c names.c mac.c)
FUZZERS += fuzz_sluiced_json
fuzz_sluiced_json_SRCS := fuzz_sluiced_json.c $(SD)/servers.c
fuzz_sluiced_json_LDLIBS := -ljson-c
