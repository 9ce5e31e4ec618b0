/* main.c — `csec COMMAND [OPTIONS]`: picks the command and hands over. */
#include "auth/hasher.h"
#include "cli/audit.h"
#include "cli/cli.h"
#include "cli/tokens.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
        {"serve", cli_serve, "run the portal"},
        {"migrate", cli_migrate, "bring the store's schema up to date"},
        {"backup", cli_backup, "write a consistent copy of a SQLite store"},
        {"restore", cli_restore, "replace a SQLite store with a backup (server stopped)"},
        {"org", cli_org, "add an organization"},
        {"user", cli_user, "add a user to an organization"},
        {"admin", cli_admin, "create a site administrator"},
        {"content", cli_content, "content packs: validate, import, export, versions, rollback"},
        {"audit", cli_audit, "check the audit log (csec audit verify)"},
        {"token", cli_token, "create a personal access token for the API"},
        {"routes", cli_routes, "print the route table"},
        {"version", cli_version, "print the version"},
        /* Not for people: the password-hashing helper that serve starts. */
        {"hash-helper", hasher_main, NULL},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: csec COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (commands[i].summary)
			fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n`csec COMMAND --help` describes a command's options.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cli_version(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "csec: unknown command \"%s\"\n\n", argv[1]);
	usage(stderr);
	return 2;
}
