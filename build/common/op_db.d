build/common/op_db.o: common/op_db.c common/op_db.h common/op_err.h \
 common/op_rec.h
common/op_db.h:
common/op_err.h:
common/op_rec.h:
