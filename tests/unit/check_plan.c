/* gen_plan: authorities grouped by output in the configuration's order;
 * --ca takes one; an unknown --ca is named. */
#include <check.h>

#include "check_run.h"
#include <string.h>

#include "gen_plan.h"
#include "op_err.h"

static struct gen_auth_conf auths[4] = {
	{ .name = "a", .output = "one.lmdb" },
	{ .name = "b", .output = "two.lmdb" },
	{ .name = "c", .output = "one.lmdb" },
	{ .name = "d", .output = "three.lmdb" },
};
static struct gen_conf conf = { .path = "x.conf", .auths = auths, .nauths = 4 };

START_TEST(grouped_by_output)
{
	struct gen_plan p;

	ck_assert_int_eq(gen_plan_make(&conf, NULL, &p), 0);
	ck_assert_uint_eq(p.nout, 3);
	ck_assert_str_eq(p.outputs[0], "one.lmdb");
	ck_assert_str_eq(p.outputs[1], "two.lmdb");
	ck_assert_str_eq(p.outputs[2], "three.lmdb");
	ck_assert_uint_eq(p.nauths, 4);
	ck_assert_uint_eq(p.group[0], 0);
	ck_assert_uint_eq(p.group[1], 2);
	ck_assert_str_eq(p.auths[0]->name, "a");
	ck_assert_str_eq(p.auths[1]->name, "c");
	ck_assert_str_eq(p.auths[2]->name, "b");
	ck_assert_str_eq(p.auths[3]->name, "d");
	ck_assert_uint_eq(p.group[3], 4);
	gen_plan_free(&p);
}
END_TEST

START_TEST(only_one_authority)
{
	struct gen_plan p;

	ck_assert_int_eq(gen_plan_make(&conf, "c", &p), 0);
	ck_assert_uint_eq(p.nout, 1);
	ck_assert_str_eq(p.outputs[0], "one.lmdb");
	ck_assert_uint_eq(p.nauths, 1);
	ck_assert_str_eq(p.auths[0]->name, "c");
	gen_plan_free(&p);
	ck_assert_int_eq(gen_plan_make(&conf, "zz", &p), OP_E_CONFIG);
	ck_assert_ptr_nonnull(strstr(op_err_detail(), "--ca zz: no such authority in x.conf"));
	gen_plan_free(&p);
}
END_TEST

CHECK_MAIN("gen_plan", NULL, NULL,
	   grouped_by_output, only_one_authority)
