-- 0001_init: deployment-wide settings edited by the site admin (DESIGN.md §3:
-- the deployment's name, its support contact, the SMTP and LRS connections).
-- Tokens (@NOW@ ...) are described in src/db/migrate.h.
CREATE TABLE site_settings (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL,
	updated_at TEXT NOT NULL DEFAULT (@NOW@)
);

INSERT INTO site_settings (key, value) VALUES
	('deployment.name', 'CSEC Toolkit'),
	('support.contact', '');
