/* Shared runner for the Check suites: run all, return the exit status. */
#ifndef CHECK_RUN_H
#define CHECK_RUN_H

#include <check.h>
#include <stddef.h>

static inline int check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

/*
 * One suite of one test case, "core", with an optional checked fixture
 * (setup and teardown run around each test, in its own process).
 */
static inline int check_suite(const char *name, void (*setup)(void),
			      void (*teardown)(void), const TTest *const *tests,
			      size_t n)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create("core");

	if (setup || teardown)
		tcase_add_checked_fixture(tc, setup, teardown);
	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return check_run(s);
}

/* main() of a suite: CHECK_MAIN("name", setup, teardown, test, ...);
 * setup and teardown may be NULL. */
#define CHECK_MAIN(name, setup, teardown, ...)				\
	int main(void)							\
	{								\
		const TTest *const tests_[] = { __VA_ARGS__ };		\
									\
		return check_suite(name, setup, teardown, tests_,	\
				   sizeof(tests_) / sizeof(tests_[0]));	\
	}

#endif
