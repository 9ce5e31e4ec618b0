/* cli/content_store.h — the `csec content` subcommands that change or read
 * the knowledge base in the store: import, export, versions, rollback
 * (features/library/store.h). Each takes --data, --db and, when it writes
 * an audit record, --secret-file, like the other commands. argv[0] is the
 * subcommand's name. Exit 0 on success, 1 when refused or on a failure
 * (said on standard error), 2 on bad usage. */
#ifndef CSEC_CLI_CONTENT_STORE_H
#define CSEC_CLI_CONTENT_STORE_H

/* `csec content import DIR`: validates the pack in DIR (problems printed
 * as `file:line: message`, exit 1, nothing changed), then imports it as a
 * new version in one transaction. */
int cli_content_import(int argc, char **argv);
/* `csec content export DIR [--pack ID]`: writes the active version (local
 * edits included) to DIR, which must not exist or be empty. */
int cli_content_export(int argc, char **argv);
/* `csec content versions`: every imported version, newest first. */
int cli_content_versions(int argc, char **argv);
/* `csec content rollback VERSION_ID`: makes that version active again. */
int cli_content_rollback(int argc, char **argv);

#endif
