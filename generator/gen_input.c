#include "gen_input.h"
#include "op_err.h"
#include "op_log.h"
#include "op_rec.h"
#include "op_time.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void gen_input_list_free(struct gen_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct gen_entry *gen_input_list_add(struct gen_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;
		struct gen_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

static int add(struct gen_list *l, const uint8_t *serial, size_t len,
	       int status, int reason, int src, int64_t rev_time)
{
	struct gen_entry *e = gen_input_list_add(l);

	if (!e)
		return op_err_set(OP_E_NOMEM, "out of memory reading serials");
	memcpy(e->serial, serial, len);
	e->serial_len = (uint8_t)len;
	e->status = (uint8_t)status;
	e->reason = (uint8_t)reason;
	e->src = (uint8_t)src;
	e->rev_time = rev_time;
	return 0;
}

/* Add a serial given as hex text; the error names where it came from. */
static int add_hex(struct gen_list *l, const char *hex, size_t n,
		   const char *file, size_t line, int status, int reason,
		   int src, int64_t rev_time)
{
	uint8_t s[OP_SERIAL_MAX];
	size_t slen;

	if (op_serial_from_hex(hex, n, s, &slen) != 0) {
		if (line)
			return op_err_prefix(OP_E_PARSE, "%s:%zu", file, line);
		return op_err_prefix(OP_E_PARSE, "%s", file);
	}
	return add(l, s, slen, status, reason, src, rev_time);
}

/* Split line into at most max whitespace- (or tab-) separated fields. */
static size_t split(char *line, char sep, char **f, size_t max)
{
	size_t n = 0;
	char *p = line;

	if (sep == '\t') {
		while (n < max) {
			f[n++] = p;
			if (!(p = strchr(p, '\t')))
				break;
			*p++ = '\0';
		}
		return n;
	}
	while (n < max) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		f[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* Strip a '#' comment and surrounding blanks; returns the trimmed start. */
static char *trim_comment(char *s)
{
	char *h = strchr(s, '#'), *e;

	if (h)
		*h = '\0';
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static FILE *open_input(const char *path, int *rc)
{
	/* O_NOFOLLOW is not used here: operators do symlink inputs into
	 * /etc; the files are root-owned configuration, not attacker input. */
	FILE *f = fopen(path, "r");

	if (!f)
		*rc = op_err_set(errno == ENOENT ? OP_E_NOTFOUND : OP_E_SYS,
				 "%s: %s", path, strerror(errno));
	return f;
}

/* OpenSSL's index.txt names reasons slightly differently from RFC 5280. */
static int index_reason(const char *s)
{
	int r = op_rec_reason_from_name(s);

	if (r >= 0)
		return r;
	if (strcasecmp(s, "holdInstruction") == 0)
		return 6;
	if (strcasecmp(s, "keyTime") == 0)
		return 1;
	if (strcasecmp(s, "CAkeyTime") == 0)
		return 2;
	return -1;
}

static int index_line(char *line, const char *path, size_t ln,
		      struct gen_list *issued, struct gen_list *revoked)
{
	char *f[6], *comma;
	size_t n = split(line, '\t', f, 6);
	int64_t t;
	int reason = OP_REASON_NONE;

	if (n < 4 || f[0][1] != '\0')
		return op_err_set(OP_E_PARSE, "%s:%zu: index.txt line needs "
				  "status, expiry, revocation and serial "
				  "fields separated by tabs", path, ln);
	switch (f[0][0]) {
	case 'E':
		return 0;
	case 'V':
		return add_hex(issued, f[3], strlen(f[3]), path, ln,
			       OP_STATUS_GOOD, OP_REASON_NONE, GEN_SRC_ISSUED, 0);
	case 'R':
		if ((comma = strchr(f[2], ',')) != NULL) {
			char *more = strchr(comma + 1, ',');

			*comma = '\0';
			if (more)
				*more = '\0';
			if ((reason = index_reason(comma + 1)) < 0)
				return op_err_set(OP_E_PARSE, "%s:%zu: unknown "
						  "revocation reason '%s'", path,
						  ln, comma + 1);
		}
		if (op_time_parse_utc(f[2], &t) != 0)
			return op_err_set(OP_E_PARSE, "%s:%zu: revocation time "
					  "'%s' is not YYMMDDHHMMSSZ", path, ln,
					  f[2]);
		return add_hex(revoked, f[3], strlen(f[3]), path, ln,
			       OP_STATUS_REVOKED, reason, GEN_SRC_INDEX_REVOKED, t);
	default:
		return op_err_set(OP_E_PARSE, "%s:%zu: status '%s' is not V, R "
				  "or E", path, ln, f[0]);
	}
}

static int load_dir(const char *path, struct gen_list *issued)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return op_err_set(OP_E_SYS, "%s: %s", path, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		rc = add_hex(issued, de->d_name, strlen(de->d_name), path, 0,
			     OP_STATUS_GOOD, OP_REASON_NONE, GEN_SRC_ISSUED, 0);
		if (rc) {
			op_err_append(rc, " (file name in serials directory)");
			break;
		}
	}
	closedir(d);
	return rc;
}

int gen_input_issued_load(const char *path, struct gen_list *issued,
		    struct gen_list *revoked)
{
	struct stat st;
	FILE *f;
	char *line = NULL;
	size_t cap = 0, ln = 0;
	int rc = 0, is_index = -1;

	if (stat(path, &st) != 0)
		return op_err_set(OP_E_SYS, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return load_dir(path, issued);
	if (!(f = open_input(path, &rc)))
		return rc;
	while (getline(&line, &cap, f) >= 0) {
		char *s;

		ln++;
		chomp(line);
		/* index.txt is recognised by its first record: a status letter
		 * and a tab.  Hex serials never contain tabs. */
		if (is_index < 0 && line[0] && line[0] != '#' &&
		    strspn(line, " \t") != strlen(line))
			is_index = strchr("VRE", line[0]) && line[1] == '\t';
		if (is_index == 1) {
			if (line[0] == '\0' || line[0] == '#')
				continue;
			if ((rc = index_line(line, path, ln, issued, revoked)) != 0)
				break;
			continue;
		}
		s = trim_comment(line);
		if (!*s)
			continue;
		if (strpbrk(s, " \t")) {
			rc = op_err_set(OP_E_PARSE, "%s:%zu: expected one hex "
					"serial per line, got '%s'", path, ln, s);
			break;
		}
		if ((rc = add_hex(issued, s, strlen(s), path, ln, OP_STATUS_GOOD,
				  OP_REASON_NONE, GEN_SRC_ISSUED, 0)) != 0)
			break;
	}
	if (!rc && ferror(f))
		rc = op_err_set(OP_E_SYS, "%s: read error", path);
	free(line);
	fclose(f);
	return rc;
}

int gen_input_local_load(const char *path, struct gen_list *local)
{
	FILE *f;
	char *line = NULL, *fld[4];
	size_t cap = 0, ln = 0, n;
	int rc = 0;

	if (!(f = open_input(path, &rc)))
		return rc;
	while (getline(&line, &cap, f) >= 0) {
		int64_t t = 0;
		int reason = OP_REASON_NONE;

		ln++;
		n = split(trim_comment(line), ' ', fld, 4);
		if (n == 0)
			continue;
		if (n > 3) {
			rc = op_err_set(OP_E_PARSE, "%s:%zu: expected SERIAL "
					"[YYYYMMDDHHMMSSZ [reason]]", path, ln);
			break;
		}
		if (n >= 2 && op_time_parse_gt(fld[1], &t) != 0) {
			rc = op_err_set(OP_E_PARSE, "%s:%zu: revocation time '%s' "
					"is not YYYYMMDDHHMMSSZ", path, ln, fld[1]);
			break;
		}
		if (n == 3 && (reason = op_rec_reason_from_name(fld[2])) < 0) {
			rc = op_err_set(OP_E_PARSE, "%s:%zu: unknown reason '%s' "
					"(keyCompromise, superseded, ...)", path,
					ln, fld[2]);
			break;
		}
		/* removeFromCRL is no revocation: it releases a hold. */
		if ((rc = add_hex(local, fld[0], strlen(fld[0]), path, ln,
				  reason == GEN_REASON_REMOVE ? OP_STATUS_GOOD :
				  OP_STATUS_REVOKED, reason, GEN_SRC_LOCAL,
				  t)) != 0)
			break;
	}
	free(line);
	fclose(f);
	return rc;
}

int gen_input_entry_cmp(const void *a, const void *b)
{
	const struct gen_entry *x = a, *y = b;

	return op_key_cmp(x->serial, x->serial_len, y->serial, y->serial_len);
}

/* Sort key for merging: serial, then source priority descending, so the
 * first entry of a run of equal serials is the one that wins. */
static int merge_cmp(const void *a, const void *b)
{
	const struct gen_entry *x = a, *y = b;
	int c = gen_input_entry_cmp(a, b);

	return c ? c : (int)y->src - (int)x->src;
}

static int is_release(const struct gen_entry *e)
{
	return e->src == GEN_SRC_LOCAL && e->status == OP_STATUS_GOOD &&
	       e->reason == GEN_REASON_REMOVE;
}

/*
 * The entry that stands for the run v[0..n-1] of one serial (sorted by
 * priority) when v[0] releases a hold: the serial as `issued` has it once
 * a certificateHold is lifted (NULL when not issued), or the revocation
 * that a release cannot lift.
 */
static const struct gen_entry *release(const struct gen_entry *v, size_t n)
{
	const struct gen_entry *rev = NULL, *issued = NULL;
	char hex[2 * OP_SERIAL_MAX + 1];

	for (size_t i = 1; i < n; i++) {
		if (!rev && v[i].status == OP_STATUS_REVOKED)
			rev = &v[i];
		if (v[i].src == GEN_SRC_ISSUED)
			issued = &v[i];
	}
	if (!rev || rev->reason == GEN_REASON_HOLD)
		return issued;
	op_serial_hex(v[0].serial, v[0].serial_len, hex);
	op_warn("local revocations: %s removeFromCRL releases only a "
		"certificateHold; %s stays revoked (%s)", hex, hex,
		op_rec_reason_name(rev->reason));
	return rev;
}

int gen_input_list_has(const struct gen_list *l, const struct gen_entry *e)
{
	return l && l->n &&
	       bsearch(e, l->v, l->n, sizeof(*e), gen_input_entry_cmp) != NULL;
}

void gen_input_list_uniq(struct gen_list *l)
{
	size_t j = 0;

	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), gen_input_entry_cmp);
	for (size_t i = 0; i < l->n; i++)
		if (j == 0 || gen_input_entry_cmp(&l->v[j - 1], &l->v[i]) != 0)
			l->v[j++] = l->v[i];
	l->n = j;
}

int gen_input_merge(struct gen_list *const *lists, size_t nlists, struct gen_list *out)
{
	size_t total = 0, i, j, end;
	struct gen_entry *v;

	for (i = 0; i < nlists; i++)
		total += lists[i]->n;
	memset(out, 0, sizeof(*out));
	if (total == 0)
		return 0;
	if (!(v = malloc(total * sizeof(*v))))
		return op_err_set(OP_E_NOMEM, "out of memory merging serials");
	for (i = 0, j = 0; i < nlists; i++) {
		if (lists[i]->n == 0)
			continue;	/* its v may be NULL */
		memcpy(v + j, lists[i]->v, lists[i]->n * sizeof(*v));
		j += lists[i]->n;
	}
	qsort(v, total, sizeof(*v), merge_cmp);
	for (i = 0, j = 0; i < total; i = end) {
		const struct gen_entry *w = &v[i];

		for (end = i + 1; end < total && gen_input_entry_cmp(&v[i], &v[end]) == 0;)
			end++;
		int released = is_release(w);

		if (released && !(w = release(v + i, end - i)))
			continue;	/* a released serial never issued */
		v[j++] = *w;	/* j <= i: no entry of a later run is lost */
		/* A lifted hold reads good because the local list says so,
		 * not the CRL that holds it (gen_times cites the decider). */
		if (released && v[j - 1].status == OP_STATUS_GOOD)
			v[j - 1].src = GEN_SRC_LOCAL;
	}
	out->v = v;
	out->n = j;
	out->cap = total;
	return 0;
}
