#include "op_sum.h"
#include "op_err.h"

void op_sum_init(struct op_sum *s)
{
	s->good = s->revoked = 0;
	s->oldest_this = s->nearest_next = INT64_MAX;
}

void op_sum_add(struct op_sum *s, const struct op_rec *rec)
{
	if (rec->status == OP_STATUS_REVOKED)
		s->revoked++;
	else
		s->good++;
	if (rec->this_update < s->oldest_this)
		s->oldest_this = rec->this_update;
	if (rec->next_update < s->nearest_next)
		s->nearest_next = rec->next_update;
}

void op_sum_merge(struct op_sum *dst, const struct op_sum *src)
{
	dst->good += src->good;
	dst->revoked += src->revoked;
	if (src->oldest_this < dst->oldest_this)
		dst->oldest_this = src->oldest_this;
	if (src->nearest_next < dst->nearest_next)
		dst->nearest_next = src->nearest_next;
}

uint64_t op_sum_count(const struct op_sum *s)
{
	return s->good + s->revoked;
}

void op_sum_encode(const struct op_sum *s, uint8_t buf[OP_SUM_LEN])
{
	op_rec_put_i64(buf, (int64_t)s->good);
	op_rec_put_i64(buf + 8, (int64_t)s->revoked);
	op_rec_put_i64(buf + 16, s->oldest_this);
	op_rec_put_i64(buf + 24, s->nearest_next);
}

int op_sum_decode(const void *val, size_t len, struct op_sum *s)
{
	const uint8_t *p = val;

	if (len != OP_SUM_LEN)
		return op_err_set(OP_E_FORMAT, "summary record of %zu octets", len);
	s->good = (uint64_t)op_rec_get_i64(p);
	s->revoked = (uint64_t)op_rec_get_i64(p + 8);
	s->oldest_this = op_rec_get_i64(p + 16);
	s->nearest_next = op_rec_get_i64(p + 24);
	return 0;
}
