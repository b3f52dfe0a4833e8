#!/bin/sh
# packaging/edge-sync/ocsp-edge-sync.sh against real peers on 127.0.0.1:
# an rsync daemon (rsync:// URL) and an sshd of its own (host:/path/ with
# RSYNC_RSH): the published file arrives, the generator's working copy,
# locks and temporary files do not, extra options reach rsync, and the
# optional verification refuses a damaged file.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib/t.sh"
. "$here/lib/pki.sh"
SYNC="$top/packaging/edge-sync/ocsp-edge-sync.sh"
t_start_pki 12
mkdir -p publish edge1 edge2 edge3
sed -i 's|^output .*|output = publish/responses.lmdb|' ocsp-gen.conf
"$B/ocsp-gen" -q -c ocsp-gen.conf || { t_fail "ocsp-gen"; t_done; exit 1; }
# What else lives next to a published file: working copy and lock (made
# by ocsp-gen), LMDB's lock file, a publication temp and a stray temp.
: > publish/responses.lmdb-lock
: > publish/.responses.lmdb.tmp.4242
: > publish/other.lmdb.tmp
ls -a publish > publish.list
published_only() {  # DIR: the file, and nothing that is not published
	cmp publish/responses.lmdb "$1/responses.lmdb" || return 1
	extra=$(ls -A "$1" | grep -v -e '^responses\.lmdb$' -e '^\.incoming$')
	[ -z "$extra" ] || { echo "unexpected: $extra"; return 1; }
}
grep -q 'responses.lmdb.work' publish.list && grep -q 'responses.lmdb.lock' publish.list &&
	t_ok "the source holds a working copy and a lock next to the file" ||
	{ t_fail "source layout"; cat publish.list; }

base=$(t_ports 2)
RS=$base; SSHP=$((base + 1))

# rsync daemon: the module of packaging/edge-sync/rsyncd.conf, on loopback.
cat > rsyncd.conf <<EOT
pid file = $P/rsyncd.pid
use chroot = no
[ocsp]
    path = $P/publish
    read only = yes
    uid = $(id -un)
    gid = $(id -gn)
    hosts allow = 127.0.0.1
EOT
rsync --daemon --no-detach --config=rsyncd.conf --address=127.0.0.1 --port=$RS &
t_bg $!
i=0; until rsync "rsync://127.0.0.1:$RS/" > /dev/null 2>&1 || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done

sh "$SYNC" "rsync://127.0.0.1:$RS/ocsp/" edge1/ --stats > d.out 2>&1
t_check "daemon: the published file arrives, nothing else" published_only edge1
t_grep "daemon: extra options reach rsync (--stats)" "^Total bytes received" d.out
"$B/ocsp-db" verify edge1/responses.lmdb --issuer self/ca.pem > /dev/null 2>&1 &&
	t_ok "daemon: the copy verifies" || t_fail "daemon: the copy verifies"
# A new publication replaces the edge's file by rename: the old inode (what
# a running ocsp-serve has mapped) keeps its bytes.
ln edge1/responses.lmdb old.link && cp edge1/responses.lmdb old.copy
PKI_DIR=$P pki_revoke rsa 1002 keyCompromise
"$B/ocsp-gen" -q -c ocsp-gen.conf || t_fail "ocsp-gen after a revocation"
sh "$SYNC" "rsync://127.0.0.1:$RS/ocsp/" edge1/ > /dev/null 2>&1
if cmp -s publish/responses.lmdb edge1/responses.lmdb && ! [ old.link -ef edge1/responses.lmdb ] &&
	cmp -s old.link old.copy; then
	t_ok "daemon: an update arrives as a new file; the old inode is untouched (no --inplace)"
else
	t_fail "daemon: update in place or not delivered"
fi
# rsync's --dry-run after ours wins: nothing is written.
sh "$SYNC" "rsync://127.0.0.1:$RS/ocsp/" edge3/ --dry-run > /dev/null 2>&1
[ ! -e edge3/responses.lmdb ] && t_ok "daemon: a later option overrides (--dry-run)" ||
	t_fail "daemon: --dry-run ignored"

# sshd of our own: host key, client key and config in the scratch dir.
mkdir -p ssh && chmod 700 ssh
ssh-keygen -q -t ed25519 -N '' -f ssh/host_key && ssh-keygen -q -t ed25519 -N '' -f ssh/client_key
cp ssh/client_key.pub ssh/authorized_keys
cat > ssh/sshd_config <<EOT
ListenAddress 127.0.0.1
Port $SSHP
HostKey $P/ssh/host_key
PidFile $P/ssh/sshd.pid
AuthorizedKeysFile $P/ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
AllowUsers $(id -un)
EOT
printf '[127.0.0.1]:%s %s\n' "$SSHP" "$(cut -d' ' -f1,2 ssh/host_key.pub)" > ssh/known_hosts
# As root, sshd wants its privilege-separation directory (the package's
# runtime directory; created here only when absent, left in place).
[ "$(id -u)" != 0 ] || [ -d /run/sshd ] || mkdir -m 755 /run/sshd
/usr/sbin/sshd -D -e -f "$P/ssh/sshd_config" 2> ssh/sshd.log &
t_bg $!
export RSYNC_RSH="ssh -p $SSHP -i $P/ssh/client_key -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=$P/ssh/known_hosts -o StrictHostKeyChecking=yes"
i=0; until $RSYNC_RSH 127.0.0.1 true 2> ssh/probe.err || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
sh "$SYNC" "127.0.0.1:$P/publish/" edge2/ --itemize-changes > s.out 2>&1
t_check "ssh (RSYNC_RSH): the published file arrives, nothing else" published_only edge2
t_grep "ssh: extra options reach rsync (--itemize-changes)" "^>f\+* responses\.lmdb" s.out
grep -q "Accepted publickey" ssh/sshd.log && t_ok "ssh: through our sshd, with the throwaway key" ||
	{ t_fail "ssh: sshd log"; sed 's/^/     | /' ssh/sshd.log ssh/probe.err | tail -8; }

# Optional verification before accepting (OCSP_EDGE_VERIFY=1).
export OCSP_DB="$B/ocsp-db" OCSP_EDGE_VERIFY=1 OCSP_EDGE_VERIFY_ARGS="--issuer $P/self/ca.pem"
sh "$SYNC" "rsync://127.0.0.1:$RS/ocsp/" edge3/ > v.out 2>&1 &&
	t_check "verify on: a good file is accepted" published_only edge3 ||
	{ t_fail "verify on: good file"; cat v.out; }
ino=$(stat -c %i edge3/responses.lmdb)
mdb_dump -n publish/responses.lmdb > dump.txt
python3 "$here/lib/dbedit.py" dump.txt bad.txt sig 1004 sha256 &&
	rm -f bad.lmdb && mdb_load -n -f bad.txt bad.lmdb 2>/dev/null &&
	mv bad.lmdb publish/responses.lmdb
rm -f bad.lmdb-lock
sh "$SYNC" "rsync://127.0.0.1:$RS/ocsp/" edge3/ > v.out 2>&1; rc=$?
[ $rc = 2 ] && [ "$(stat -c %i edge3/responses.lmdb)" = "$ino" ] &&
	t_ok "verify on: a file with a flipped signature bit is refused, the old one stays" ||
	{ t_fail "verify on: damaged file exit $rc"; cat v.out; }
t_grep "verify on: the refusal names the response" "BAD: issuing_rsa sha256 1004: the signature" v.out
t_done
