/* cli/content.c — `csec content SUBCOMMAND`: the content-pack commands
 * (docs/content-packs.md). `validate` is here; the commands that touch the
 * store (import, export, versions, rollback) live in cli/content_store.c and
 * are listed in the table below. */
#include "cli/cli.h"
#include "cli/content_store.h"

#include "core/arena.h"
#include "features/course/pack_course.h"
#include "features/library/pack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int content_validate(int argc, char **argv);

/* One line per subcommand; the store's are declared in cli/content_store.h. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} subcommands[] = {
        {"validate", content_validate, "check a pack and print every problem"},
        {"import", cli_content_import, "import a pack as a new version (validated first)"},
        {"export", cli_content_export, "write the active pack back to a directory"},
        {"versions", cli_content_versions, "list the imported versions"},
        {"rollback", cli_content_rollback, "make an earlier version active again"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: csec content SUBCOMMAND [OPTIONS]\n\nsubcommands:\n");
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		fprintf(out, "  %-9s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(out, "\n`csec content SUBCOMMAND --help` describes its options.\n");
}

int cli_content(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "csec content: unknown subcommand \"%s\"\n\n", argv[1]);
	usage(stderr);
	return 2;
}

/* Problems in file order, then line order, then the order found. */
struct ordered {
	const struct pack_problem *p;
	size_t seq;
};

static int by_place(const void *x, const void *y)
{
	const struct ordered *a = x, *b = y;
	int c = strcmp(a->p->file, b->p->file);
	if (c)
		return c;
	if (a->p->line != b->p->line)
		return a->p->line < b->p->line ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Prints every problem as file:line: message on stdout, sorted. The number
 * of files with problems, or -1 when out of memory. */
static int print_problems(const struct pack_problems *pr)
{
	struct ordered *o = calloc(pr->n ? pr->n : 1, sizeof *o);
	if (!o)
		return -1;
	for (size_t i = 0; i < pr->n; i++)
		o[i] = (struct ordered){&pr->items[i], i};
	qsort(o, pr->n, sizeof *o, by_place);
	int files = 0;
	for (size_t i = 0; i < pr->n; i++) {
		printf("%s:%d: %s\n", o[i].p->file, o[i].p->line, o[i].p->message);
		files += i == 0 || strcmp(o[i].p->file, o[i - 1].p->file) != 0;
	}
	free(o);
	return files;
}

static int content_validate(int argc, char **argv)
{
	const char *dir = NULL;
	for (int i = 1; i < argc; i++) {
		if (cli_is_help(argv[i])) {
			printf("usage: csec content validate [DIR]\n\n"
			       "Checks the content pack in DIR (pack.json and the Markdown pages "
			       "under\nguide/, practices/ and resources/) and prints every problem "
			       "as\nFILE:LINE: MESSAGE. Without DIR, checks the starter pack built "
			       "into this\nbinary. Exit status: 0 when the pack is clean, 1 when "
			       "it "
			       "has problems,\n2 when it cannot be read.\n");
			return 0;
		}
		if (dir || argv[i][0] == '-') {
			fprintf(stderr,
			        "csec content validate: unexpected argument \"%s\" (see csec "
			        "content validate --help)\n",
			        argv[i]);
			return 2;
		}
		dir = argv[i];
	}
	struct arena *a = arena_create(0);
	if (!a) {
		fprintf(stderr, "csec content validate: out of memory\n");
		return 2;
	}
	struct pack_problems pr;
	pack_problems_init(&pr, a);
	struct pack_file *files = NULL;
	size_t n = 0;
	int rc = dir ? pack_files_from_dir(a, dir, &files, &n, &pr)
	             : pack_files_embedded(a, &files, &n);
	const char *what = dir ? dir : "the built-in starter pack";
	if (rc < 0) {
		fprintf(stderr, "csec content validate: cannot read %s: %s\n", what, strerror(-rc));
		arena_destroy(a);
		return 2;
	}
	struct pack pack;
	rc = pack_load(a, files, n, &pack, &pr);
	if (rc < 0) {
		fprintf(stderr, "csec content validate: %s\n", strerror(-rc));
		arena_destroy(a);
		return 2;
	}
	int status = 0;
	if (pr.n) {
		int nf = print_problems(&pr);
		fflush(stdout);
		if (nf < 0)
			fprintf(stderr, "csec content validate: out of memory\n");
		else
			fprintf(stderr, "csec content validate: %zu problem%s in %d file%s of %s\n",
			        pr.n, pr.n == 1 ? "" : "s", nf, nf == 1 ? "" : "s", what);
		status = nf < 0 ? 2 : 1;
	} else {
		size_t kinds[3] = {0, 0, 0};
		for (size_t i = 0; i < pack.n_pages; i++)
			kinds[pack.pages[i].kind]++;
		size_t lessons = 0, questions = 0, scenarios = 0;
		for (size_t i = 0; i < pack.n_courses; i++) {
			lessons += pack.courses[i].n_lessons;
			questions += pack.courses[i].n_questions;
			scenarios += pack.courses[i].n_scenarios;
		}
		fprintf(stderr,
		        "csec content validate: %s is clean: pack %s %s, %zu page%s (%zu guide, "
		        "%zu practice, %zu resource), %zu course%s (%zu lessons, %zu questions, "
		        "%zu scenarios)\n",
		        what, pack.meta.id, pack.meta.version, pack.n_pages,
		        pack.n_pages == 1 ? "" : "s", kinds[PAGE_GUIDE], kinds[PAGE_PRACTICE],
		        kinds[PAGE_RESOURCE], pack.n_courses, pack.n_courses == 1 ? "" : "s",
		        lessons, questions, scenarios);
	}
	arena_destroy(a);
	return status;
}
