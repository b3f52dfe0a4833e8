build/common/op_err.o: common/op_err.c common/op_err.h
common/op_err.h:
