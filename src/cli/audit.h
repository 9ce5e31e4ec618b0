/* cli/audit.h — `csec audit`: checks the audit log (`csec audit verify`). */
#ifndef CSEC_CLI_AUDIT_H
#define CSEC_CLI_AUDIT_H

/* `csec audit verify [--data DIR] [--db URL] [--secret-file FILE]`: walks the
 * audit log and its checkpoint (audit_verify). Exits 0 when intact ("audit
 * log intact: N records" on stderr), 1 when not (the first bad record named
 * on stderr) or when it cannot tell (no secret file, no store, schema not
 * migrated), 2 on bad usage. */
int cli_audit(int argc, char **argv);

#endif
