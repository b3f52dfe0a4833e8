/* op_rec: record encoding and reason names. */
#include <check.h>

#include "check_run.h"
#include <stdlib.h>
#include <string.h>

#include "op_err.h"
#include "op_rec.h"

START_TEST(rec_roundtrip)
{
	uint8_t body[] = { 0x30, 0x03, 0x0a, 0x01, 0x00 };
	uint8_t certs[] = { 0xa0, 0x02, 0x30, 0x00 };
	struct op_rec in = { 0 }, out;
	uint8_t *buf;
	size_t size;

	in.status = OP_STATUS_REVOKED;
	in.reason = 1;
	in.flags = OP_REC_F_REVTIME_SEEN;
	in.this_update = 1800000000;
	in.next_update = 1800604800;
	in.rev_time = -5;	/* before 1970: sign must survive */
	memset(in.signer_id, 7, sizeof(in.signer_id));
	memset(in.etag, 9, sizeof(in.etag));
	in.body = body;
	in.body_len = sizeof(body);
	in.certs = certs;
	in.certs_len = sizeof(certs);
	/* Certs kept inline: stored after the body. */
	size = op_rec_size(&in);
	ck_assert_uint_eq(size, OP_REC_HDR + sizeof(body) + sizeof(certs));
	buf = malloc(size);
	op_rec_encode(&in, buf);
	ck_assert_int_eq(op_rec_decode(buf, size, &out), 0);
	ck_assert_uint_eq(out.status, OP_STATUS_REVOKED);
	ck_assert_uint_eq(out.reason, 1);
	ck_assert_uint_eq(out.flags, OP_REC_F_REVTIME_SEEN);
	ck_assert_int_eq(out.this_update, 1800000000);
	ck_assert_int_eq(out.next_update, 1800604800);
	ck_assert_int_eq(out.rev_time, -5);
	ck_assert_int_eq(memcmp(out.signer_id, in.signer_id, OP_REC_SIGNER_ID), 0);
	ck_assert_int_eq(memcmp(out.etag, in.etag, OP_REC_ETAG), 0);
	ck_assert_uint_eq(out.body_len, sizeof(body) + sizeof(certs));
	ck_assert_int_eq(memcmp(out.body, body, sizeof(body)), 0);
	ck_assert_ptr_null(out.certs);
	/* Corruptions: short, wrong version, length mismatch. */
	ck_assert_int_eq(op_rec_decode(buf, OP_REC_HDR - 1, &out), OP_E_FORMAT);
	ck_assert_int_eq(op_rec_decode(buf, size - 1, &out), OP_E_FORMAT);
	buf[0] = 1;	/* format 1 records are not read */
	ck_assert_int_eq(op_rec_decode(buf, size, &out), OP_E_FORMAT);
	free(buf);
	/* Certs stored once elsewhere: the record holds the body only. */
	in.flags |= OP_REC_F_CERTS;
	ck_assert_uint_eq(op_rec_size(&in), OP_REC_HDR + sizeof(body));
}
END_TEST

START_TEST(reasons)
{
	ck_assert_int_eq(op_rec_reason_from_name("keyCompromise"), 1);
	ck_assert_int_eq(op_rec_reason_from_name("CACompromise"), 2);
	ck_assert_int_eq(op_rec_reason_from_name("superseded"), 4);
	ck_assert_int_eq(op_rec_reason_from_name("bogus"), -1);
	ck_assert_str_eq(op_rec_reason_name(5), "cessationOfOperation");
	ck_assert_str_eq(op_rec_reason_name(OP_REASON_NONE), "none");
}
END_TEST

CHECK_MAIN("op_rec", NULL, NULL,
	   rec_roundtrip, reasons)
