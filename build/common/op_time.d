build/common/op_time.o: common/op_time.c common/op_time.h common/op_err.h
common/op_time.h:
common/op_err.h:
