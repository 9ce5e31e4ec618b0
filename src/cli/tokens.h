/* cli/tokens.h — `csec token create`: a personal access token for the API,
 * from the shell (DESIGN.md §4). */
#ifndef CSEC_CLI_TOKENS_H
#define CSEC_CLI_TOKENS_H

/* `csec token create --user EMAIL [--name NAME] [--expires DAYS]
 * [--scope read|write] [--data DIR] [--db URL] [--secret-file FILE]`:
 * prints the new token alone on standard output (everything else on
 * standard error) and audits it (token.create, actor "cli"). Exits 0 when
 * made, 1 when refused (no such person, a site admin, two-step sign-in not
 * set up, too many tokens) or on a store failure, 2 on bad usage. */
int cli_token(int argc, char **argv);

#endif
