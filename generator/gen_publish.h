/*
 * gen_publish: the lock and the atomic publication of the responses file.
 *
 * Publication never writes the served file in place: a plain copy of the
 * working environment (every page at its number, so unchanged pages stay
 * the same octets at the same offset for rsync; a clone of its file where
 * the filesystem can) replaces it atomically
 * through op_file, so a reader (or rsync) sees the old file or the new
 * one, never a mix.
 */
#ifndef GEN_PUBLISH_H
#define GEN_PUBLISH_H

#include <lmdb.h>

/* Take the run lock beside output ("OUTPUT.lock").  *fd is held until
 * gen_publish_unlock().  OP_E_LOCKED if another run holds it. */
int gen_publish_lock(const char *output, int *fd);
void gen_publish_unlock(int fd);

/* Copy env (plain, page numbers kept) over output through op_file
 * (temporary file, fsync, rename, fsync of the directory); where the
 * filesystem can clone (XFS with reflink, btrfs) the copy is a clone of
 * the working copy's file, octet for octet the same, so publication costs
 * what changed (said at -v).  On error nothing at output changed and no
 * temporary file is left. */
int gen_publish(MDB_env *env, const char *output);

#endif
