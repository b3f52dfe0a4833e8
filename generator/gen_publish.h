/*
 * gen_publish: the lock and the atomic publication of the responses file.
 *
 * Publication never writes the served file in place: a compact copy of the
 * working environment replaces it atomically through op_file, so a reader
 * (or rsync) sees the old file or the new one, never a mix.
 */
#ifndef GEN_PUBLISH_H
#define GEN_PUBLISH_H

#include <lmdb.h>

/* Take the run lock beside output ("OUTPUT.lock").  *fd is held until
 * gen_unlock().  OP_E_LOCKED if another run holds it. */
int gen_lock(const char *output, int *fd);
void gen_unlock(int fd);

/* Compact-copy env over output through op_file (temporary file, fsync,
 * rename, fsync of the directory).  On error nothing at output changed and
 * no temporary file is left. */
int gen_publish(MDB_env *env, const char *output);

#endif
