build/generator/gen_input.o: generator/gen_input.c generator/gen_input.h \
 common/op_key.h common/op_err.h common/op_rec.h common/op_time.h
generator/gen_input.h:
common/op_key.h:
common/op_err.h:
common/op_rec.h:
common/op_time.h:
