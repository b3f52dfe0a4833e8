/* op_der: the reader refuses what is not DER; the writer's headers read
 * back at every length boundary. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_run.h"
#include "op_der.h"
#include "op_err.h"

/* op_der_next() over n octets: its result; the cursor moves only on 0. */
static int next(const uint8_t *b, size_t n, unsigned flags, struct op_der_tlv *t)
{
	struct op_der d;
	int rc;

	op_der_init(&d, b, n);
	rc = op_der_next(&d, flags, t);
	if (rc != 0)
		ck_assert_ptr_eq(d.p, b);
	else
		ck_assert_ptr_eq(d.p, t->in.end);
	return rc;
}

START_TEST(short_and_long_forms)
{
	static const uint8_t small[] = { 0x04, 0x02, 0xaa, 0xbb };
	uint8_t big[3 + 200] = { 0x04, 0x81, 200 };
	struct op_der_tlv t;

	ck_assert_int_eq(next(small, sizeof(small), 0, &t), 0);
	ck_assert_uint_eq(t.tag, 0x04);
	ck_assert_uint_eq(t.num, 4);
	ck_assert_ptr_eq(t.start, small);
	ck_assert_ptr_eq(t.in.p, small + 2);
	ck_assert_ptr_eq(t.in.end, small + 4);
	ck_assert_int_eq(next(big, sizeof(big), 0, &t), 0);
	ck_assert_int_eq(t.in.end - t.in.p, 200);
}
END_TEST

START_TEST(refuses_non_minimal_length)
{
	/* 0x82 0x00 0x90: a leading zero octet. */
	uint8_t b[4 + 0x90] = { 0x04, 0x82, 0x00, 0x90 };
	struct op_der_tlv t;

	ck_assert_int_eq(next(b, sizeof(b), 0, &t), OP_DER_E_LENGTH);
	/* The same length in its shortest form is taken. */
	b[1] = 0x81;
	b[2] = 0x90;
	ck_assert_int_eq(next(b, 3 + 0x90, 0, &t), 0);
}
END_TEST

START_TEST(refuses_long_form_under_128)
{
	static const uint8_t b[] = { 0x04, 0x81, 0x05, 1, 2, 3, 4, 5 };
	static const uint8_t zero[] = { 0x05, 0x81, 0x00 };
	static const uint8_t b2[] = { 0x04, 0x82, 0x00, 0x7f };
	struct op_der_tlv t;

	ck_assert_int_eq(next(b, sizeof(b), 0, &t), OP_DER_E_LENGTH);
	ck_assert_int_eq(next(zero, sizeof(zero), 0, &t), OP_DER_E_LENGTH);
	ck_assert_int_eq(next(b2, sizeof(b2), 0, &t), OP_DER_E_LENGTH);
}
END_TEST

START_TEST(refuses_indefinite_length)
{
	static const uint8_t b[] = { 0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00 };
	struct op_der d, in;
	struct op_der_tlv t;

	ck_assert_int_eq(next(b, sizeof(b), 0, &t), OP_DER_E_INDEFINITE);
	op_der_init(&d, b, sizeof(b));
	ck_assert_int_eq(op_der_expect(&d, OP_DER_SEQUENCE, &in), OP_DER_E_INDEFINITE);
	ck_assert_ptr_eq(d.p, b);
}
END_TEST

START_TEST(refuses_length_beyond_buffer)
{
	static const uint8_t b[] = { 0x04, 0x05, 1, 2, 3, 4 };
	static const uint8_t l[] = { 0x04, 0x82, 0x01, 0x00, 1, 2, 3 };
	/* As long as a size_t allows, and then longer. */
	static const uint8_t huge[] = { 0x04, 0x88, 0xff, 0xff, 0xff, 0xff,
					0xff, 0xff, 0xff, 0xff, 0 };
	static const uint8_t over[] = { 0x04, 0x89, 0x01, 0, 0, 0, 0, 0, 0, 0,
					0, 0 };
	static const uint8_t reserved[] = { 0x04, 0xff, 0 };
	static const uint8_t cut[] = { 0x04, 0x83, 0x01, 0x00 };
	struct op_der d, in;
	struct op_der_tlv t;

	ck_assert_int_eq(next(b, sizeof(b), 0, &t), OP_DER_E_SHORT);
	ck_assert_int_eq(next(b, 2, 0, &t), OP_DER_E_SHORT);
	ck_assert_int_eq(next(l, sizeof(l), 0, &t), OP_DER_E_SHORT);
	ck_assert_int_eq(next(huge, sizeof(huge), 0, &t), OP_DER_E_SHORT);
	ck_assert_int_eq(next(over, sizeof(over), 0, &t), OP_DER_E_LENGTH);
	ck_assert_int_eq(next(reserved, sizeof(reserved), 0, &t), OP_DER_E_LENGTH);
	ck_assert_int_eq(next(cut, sizeof(cut), 0, &t), OP_DER_E_SHORT);
	/* The inline path of op_der_expect() says the same. */
	op_der_init(&d, b, sizeof(b));
	ck_assert_int_eq(op_der_expect(&d, 0x04, &in), OP_DER_E_SHORT);
	ck_assert_ptr_eq(d.p, b);
}
END_TEST

START_TEST(refuses_high_tag_unless_asked)
{
	static const uint8_t b[] = { 0x9f, 0x20, 0x01, 0xaa };	/* [32] */
	static const uint8_t two[] = { 0x3f, 0x81, 0x00, 0x00 };	/* [128] */
	static const uint8_t low[] = { 0x9f, 0x1e, 0x00 };	/* [30]: has a low form */
	static const uint8_t pad[] = { 0x9f, 0x80, 0x20, 0x00 };	/* leading 0x80 */
	static const uint8_t wide[] = { 0x9f, 0x81, 0x81, 0x81, 0x81, 0x01, 0x00 };
	struct op_der d, in;
	struct op_der_tlv t;

	ck_assert_int_eq(next(b, sizeof(b), 0, &t), OP_DER_E_HIGH_TAG);
	ck_assert_int_eq(next(b, sizeof(b), OP_DER_HIGH_TAG, &t), 0);
	ck_assert_uint_eq(t.tag, 0x9f);
	ck_assert_uint_eq(t.num, 32);
	ck_assert_int_eq(t.in.end - t.in.p, 1);
	ck_assert_int_eq(next(two, sizeof(two), OP_DER_HIGH_TAG, &t), 0);
	ck_assert_uint_eq(t.num, 128);
	ck_assert_int_eq(next(low, sizeof(low), OP_DER_HIGH_TAG, &t), OP_DER_E_HIGH_TAG);
	ck_assert_int_eq(next(pad, sizeof(pad), OP_DER_HIGH_TAG, &t), OP_DER_E_HIGH_TAG);
	ck_assert_int_eq(next(wide, sizeof(wide), OP_DER_HIGH_TAG, &t), OP_DER_E_HIGH_TAG);
	/* No helper takes a high tag. */
	op_der_init(&d, b, sizeof(b));
	ck_assert_int_ne(op_der_expect(&d, 0x9f, &in), 0);
	ck_assert_int_ne(op_der_skip(&d), 0);
	ck_assert_ptr_eq(d.p, b);
}
END_TEST

START_TEST(refuses_truncated_tag)
{
	static const uint8_t one[] = { 0x30 };
	static const uint8_t high[] = { 0x9f, 0x81 };	/* number continues */
	static const uint8_t nolen[] = { 0x9f, 0x21 };
	struct op_der_tlv t;

	ck_assert_int_eq(next(one, 0, 0, &t), OP_DER_E_SHORT);
	ck_assert_int_eq(next(one, 1, 0, &t), OP_DER_E_SHORT);
	ck_assert_int_eq(next(high, sizeof(high), OP_DER_HIGH_TAG, &t), OP_DER_E_SHORT);
	ck_assert_int_eq(next(nolen, sizeof(nolen), OP_DER_HIGH_TAG, &t), OP_DER_E_SHORT);
}
END_TEST

START_TEST(helpers)
{
	/* SEQUENCE { INTEGER 5, [0] { NULL }, UTCTime } then OCTET STRING */
	static const uint8_t b[] = {
		0x30, 0x16, 0x02, 0x01, 0x05, 0xa0, 0x02, 0x05, 0x00,
		0x17, 0x0d, '2', '4', '0', '1', '0', '2', '0', '3', '0', '4',
		'0', '5', 'Z', 0x04, 0x00,
	};
	static const uint8_t empty_int[] = { 0x02, 0x00 };
	static const uint8_t bad_time[] = { 0x18, 0x02, '2', '0' };
	struct op_der d, seq, in, x;
	const uint8_t *v;
	size_t n;
	int64_t t;

	op_der_init(&d, b, sizeof(b));
	ck_assert_int_eq(op_der_peek(&d), 0x30);
	ck_assert_int_eq(op_der_last(&d, OP_DER_SEQUENCE, &seq), OP_DER_E_VALUE);
	ck_assert_ptr_eq(d.p, b);
	ck_assert_int_eq(op_der_expect(&d, OP_DER_OCTET_STRING, &in), OP_DER_E_TAG);
	ck_assert_int_eq(op_der_expect(&d, OP_DER_SEQUENCE, &seq), 0);
	ck_assert_int_eq(op_der_optional(&seq, OP_DER_CTX(0), &in), 0);
	ck_assert_int_eq(op_der_integer(&seq, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0], 5);
	ck_assert_int_eq(op_der_optional(&seq, OP_DER_CTX(0), &in), 1);
	ck_assert_int_eq(op_der_last(&in, OP_DER_NULL, &x), 0);
	ck_assert_int_eq(op_der_done(&in), 1);
	ck_assert_int_eq(op_der_time(&seq, &t), 0);
	ck_assert_int_eq(t, 1704164645);	/* 2024-01-02 03:04:05Z */
	ck_assert_int_eq(op_der_done(&seq), 1);
	ck_assert_int_eq(op_der_peek(&seq), -1);
	ck_assert_int_eq(op_der_skip(&d), 0);
	ck_assert_int_eq(op_der_done(&d), 1);
	ck_assert_int_eq(op_der_skip(&d), OP_DER_E_SHORT);

	op_der_init(&d, empty_int, sizeof(empty_int));
	ck_assert_int_eq(op_der_integer(&d, &v, &n), OP_DER_E_VALUE);
	ck_assert_ptr_eq(d.p, empty_int);
	op_der_init(&d, bad_time, sizeof(bad_time));
	ck_assert_int_eq(op_der_time(&d, &t), OP_DER_E_VALUE);
	op_der_init(&d, empty_int, sizeof(empty_int));
	ck_assert_int_eq(op_der_time(&d, &t), OP_DER_E_TAG);
	/* An optional element that is there but broken is an error. */
	op_der_init(&d, (const uint8_t *)"\xa0\x05\x00", 3);
	ck_assert_int_eq(op_der_optional(&d, OP_DER_CTX(0), &in), OP_DER_E_SHORT);
	ck_assert_str_eq(op_der_strerror(OP_DER_E_INDEFINITE), "indefinite length");
}
END_TEST

/* Write a header for n octets and read it back; n octets are there. */
static void roundtrip(size_t n, size_t hdr)
{
	uint8_t *buf = calloc(1, n + 16);
	struct op_der d, in;
	struct op_der_tlv t;

	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(op_der_hdr_len(n), hdr);
	ck_assert_uint_eq(op_der_tlv_len(n), hdr + n);
	ck_assert_ptr_eq(op_der_hdr(buf, OP_DER_OCTET_STRING, n), buf + hdr);
	ck_assert_int_eq(next(buf, hdr + n, 0, &t), 0);
	ck_assert_ptr_eq(t.in.p, buf + hdr);
	ck_assert_uint_eq((size_t)(t.in.end - t.in.p), n);
	/* One octet fewer is refused, whichever path reads it. */
	ck_assert_int_eq(next(buf, hdr + n - 1, 0, &t), OP_DER_E_SHORT);
	op_der_init(&d, buf, hdr + n);
	ck_assert_int_eq(op_der_last(&d, OP_DER_OCTET_STRING, &in), 0);
	ck_assert_uint_eq((size_t)(in.end - in.p), n);
	free(buf);
}

START_TEST(writer_roundtrips_at_boundaries)
{
	roundtrip(1, 2);
	roundtrip(127, 2);
	roundtrip(128, 3);
	roundtrip(255, 3);
	roundtrip(256, 4);
	roundtrip(65535, 4);
	roundtrip(65536, 5);
	roundtrip(0xffffff, 5);
	roundtrip(0x1000000, 6);	/* 16 MiB: four length octets */
}
END_TEST

START_TEST(writer_any_size_t)
{
	uint8_t h[16];
	size_t big = SIZE_MAX;

	ck_assert_uint_eq(op_der_hdr_len(0), 2);
	ck_assert_uint_eq(op_der_hdr_len(big), 2 + sizeof(size_t));
	ck_assert_ptr_eq(op_der_hdr(h, OP_DER_SEQUENCE, big), h + 2 + sizeof(size_t));
	ck_assert_uint_eq(h[1], 0x80 | sizeof(size_t));
	for (size_t i = 0; i < sizeof(size_t); i++)
		ck_assert_uint_eq(h[2 + i], 0xff);
	/* Sizes saturate rather than wrap. */
	ck_assert_uint_eq(op_der_tlv_len(big), SIZE_MAX);
	ck_assert_uint_eq(op_der_tlv_len(big - 5), SIZE_MAX);
	ck_assert_uint_eq(op_der_tlv_len(op_der_tlv_len(big - 20)), SIZE_MAX);
	/* A header promising that much is refused against a small buffer. */
	ck_assert_int_eq(op_der_skip(&(struct op_der){ h, h + sizeof(h) }),
			 OP_DER_E_SHORT);
}
END_TEST

START_TEST(writer_time)
{
	uint8_t b[OP_DER_TIME_LEN], *p = b;
	struct op_der d;
	int64_t t;

	ck_assert_int_eq(op_der_put_time(&p, 1704164645), 0);
	ck_assert_ptr_eq(p, b + OP_DER_TIME_LEN);
	ck_assert_int_eq(memcmp(b, "\x18\x0f" "20240102030405Z", OP_DER_TIME_LEN), 0);
	op_der_init(&d, b, sizeof(b));
	ck_assert_int_eq(op_der_time(&d, &t), 0);
	ck_assert_int_eq(t, 1704164645);
	p = b;
	ck_assert_int_eq(op_der_put_time(&p, 253402300800LL), OP_E_RANGE); /* 10000 */
	ck_assert_ptr_eq(p, b);
}
END_TEST

CHECK_MAIN("op_der", NULL, NULL, short_and_long_forms, refuses_non_minimal_length,
	   refuses_long_form_under_128, refuses_indefinite_length,
	   refuses_length_beyond_buffer, refuses_high_tag_unless_asked,
	   refuses_truncated_tag, helpers, writer_roundtrips_at_boundaries,
	   writer_any_size_t, writer_time)
