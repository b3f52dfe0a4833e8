build/generator/gen_publish.o: generator/gen_publish.c \
 generator/gen_publish.h common/op_err.h
generator/gen_publish.h:
common/op_err.h:
