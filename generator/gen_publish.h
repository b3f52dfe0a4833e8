/*
 * gen_publish: the lock and the atomic publication of the responses file.
 *
 * Publication never writes the served file in place: a compact copy of the
 * working environment goes to a temporary name in the same directory, is
 * fsynced, renamed over the output and the directory is fsynced, so a
 * reader (or rsync) sees the old file or the new one, never a mix.
 */
#ifndef GEN_PUBLISH_H
#define GEN_PUBLISH_H

#include <lmdb.h>

/* Take the run lock beside output ("OUTPUT.lock").  *fd is held until
 * gen_unlock().  OP_E_LOCKED if another run holds it. */
int gen_lock(const char *output, int *fd);
void gen_unlock(int fd);

/* Remove temporary files a killed run left next to output. */
void gen_publish_cleanup(const char *output);

/* Compact-copy env to a temporary file, fsync, rename over output, fsync
 * the directory.  On error nothing at output changed and no temporary
 * file is left. */
int gen_publish(MDB_env *env, const char *output);

#endif
