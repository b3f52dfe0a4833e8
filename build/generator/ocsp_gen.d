build/generator/ocsp_gen.o: generator/ocsp_gen.c generator/gen_conf.h \
 generator/gen_run.h common/op_err.h common/op_log.h common/op_time.h
generator/gen_conf.h:
generator/gen_run.h:
common/op_err.h:
common/op_log.h:
common/op_time.h:
