# cidr_set: compiled white_list prefix sets (kmod/cidr_set.c) against the
# naive model.  The real lists live in shared/ beside the repository.
TESTS += test_cidr_set
test_cidr_set_SRCS := test_cidr_set.c cidr_model.c ../../kmod/cidr_set.c
test_cidr_set: CFLAGS += -DCIDR_DATA_DIR='"$(ROOT)/../shared/data/bypass"'
