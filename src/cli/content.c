/* cli/content.c — `csec content SUBCOMMAND`: one table of subcommands, each
 * a line (name, function, one-line summary for the usage). */
#include "cli/cli.h"
#include "cli/content_store.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} subcommands[] = {
        {"import", cli_content_import, "import a content pack as a new version"},
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
