build/common/op_key.o: common/op_key.c common/op_key.h common/op_err.h
common/op_key.h:
common/op_err.h:
