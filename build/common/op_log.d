build/common/op_log.o: common/op_log.c common/op_log.h
common/op_log.h:
