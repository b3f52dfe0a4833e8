build/generator/gen_conf.o: generator/gen_conf.c generator/gen_conf.h \
 common/op_err.h common/op_key.h common/op_log.h common/op_time.h
generator/gen_conf.h:
common/op_err.h:
common/op_key.h:
common/op_log.h:
common/op_time.h:
