build/generator/gen_resp.o: generator/gen_resp.c generator/gen_resp.h \
 generator/gen_input.h common/op_key.h common/op_err.h common/op_rec.h
generator/gen_resp.h:
generator/gen_input.h:
common/op_key.h:
common/op_err.h:
common/op_rec.h:
