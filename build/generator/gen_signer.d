build/generator/gen_signer.o: generator/gen_signer.c \
 generator/gen_signer.h common/op_rec.h common/op_err.h common/op_time.h
generator/gen_signer.h:
common/op_rec.h:
common/op_err.h:
common/op_time.h:
