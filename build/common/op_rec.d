build/common/op_rec.o: common/op_rec.c common/op_rec.h common/op_err.h
common/op_rec.h:
common/op_err.h:
