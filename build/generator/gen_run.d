build/generator/gen_run.o: generator/gen_run.c generator/gen_run.h \
 generator/gen_conf.h generator/gen_input.h common/op_key.h \
 generator/gen_publish.h generator/gen_resp.h generator/gen_signer.h \
 common/op_rec.h common/op_db.h common/op_err.h common/op_log.h \
 common/op_time.h
generator/gen_run.h:
generator/gen_conf.h:
generator/gen_input.h:
common/op_key.h:
generator/gen_publish.h:
generator/gen_resp.h:
generator/gen_signer.h:
common/op_rec.h:
common/op_db.h:
common/op_err.h:
common/op_log.h:
common/op_time.h:
