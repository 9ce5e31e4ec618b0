/* render/page.c — see page.h. The embedded templates are compiled once at
 * start-up; with --dev-templates the set is rebuilt from disk for each page
 * (slow, and only for people editing templates). */
#include "render/page.h"

#include "auth/policy.h"
#include "core/arena.h"
#include "core/embed.h"
#include "core/log.h"
#include "db/pool.h"
#include "db/settings.h"
#include "http/http.h"
#include "render/assets.h"
#include "render/template.h"
#include "version.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TPL_PREFIX "web/templates/"
#define MSG_DIR "web/messages/en/" /* every *.txt in it, one per feature */
#define MAX_PAGE_BYTES (4u << 20)
#define MAX_FILE_BYTES (1u << 20)

static struct tpl_set *embedded;
static char *dev_dir;

static const char *resolve_asset(void *ctx, const char *path)
{
	(void)ctx;
	return assets_url(path);
}

/* The length of a template file's suffix: ".html" for pages, ".txt" for
 * mail (web/templates/mail/); 0 for any other file. */
static size_t template_suffix(const char *path, size_t len)
{
	if (len > 5 && strcmp(path + len - 5, ".html") == 0)
		return 5;
	if (len > 4 && strcmp(path + len - 4, ".txt") == 0)
		return 4;
	return 0;
}

/* "web/templates/partials/nav.html" -> "partials/nav" */
static int template_name(const char *path, char *out, size_t outlen)
{
	size_t plen = strlen(TPL_PREFIX), len = strlen(path);
	if (strncmp(path, TPL_PREFIX, plen) != 0)
		return -1;
	size_t suffix = template_suffix(path + plen, len - plen);
	if (!suffix || len - plen - suffix >= outlen)
		return -1;
	memcpy(out, path + plen, len - plen - suffix);
	out[len - plen - suffix] = '\0';
	return 0;
}

/* "web/messages/en/accounts.txt": one feature's part of the catalogue. */
static bool is_catalogue(const char *path)
{
	size_t plen = strlen(MSG_DIR), len = strlen(path);
	return strncmp(path, MSG_DIR, plen) == 0 && len > plen + 4 &&
	        strcmp(path + len - 4, ".txt") == 0 && !strchr(path + plen, '/');
}

static struct tpl_set *load_embedded(char *err, size_t errlen)
{
	struct tpl_set *set = tpl_set_create();
	if (!set) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	tpl_set_asset_resolver(set, resolve_asset, NULL);
	for (unsigned long i = 0; i < embed_count; i++) {
		const struct embed_file *f = &embed_files[i];
		char name[128];
		if (template_name(f->name, name, sizeof name) != 0)
			continue;
		if (tpl_set_add(set, name, (const char *)f->data, embed_len(f), err, errlen) != 0)
			goto fail;
	}
	unsigned catalogues = 0;
	for (unsigned long i = 0; i < embed_count; i++) {
		const struct embed_file *f = &embed_files[i];
		if (!is_catalogue(f->name))
			continue;
		char why[256];
		if (tpl_set_add_messages(set, (const char *)f->data, embed_len(f), why,
		                         sizeof why) != 0) {
			snprintf(err, errlen, "%s:%s", f->name, why);
			goto fail;
		}
		catalogues++;
	}
	if (catalogues == 0) {
		snprintf(err, errlen, "no message catalogue under %s in the build", MSG_DIR);
		goto fail;
	}
	if (tpl_set_prepare(set) != 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return set;
fail:
	tpl_set_destroy(set);
	return NULL;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *data = malloc(MAX_FILE_BYTES + 1);
	size_t n = data ? fread(data, 1, MAX_FILE_BYTES + 1, f) : 0;
	fclose(f);
	if (!data || n > MAX_FILE_BYTES) {
		free(data);
		return NULL;
	}
	data[n] = '\0';
	*len = n;
	return data;
}

/* Adds every .html under dir (recursively) to set, named relative to root. */
static int add_dir(struct tpl_set *set, const char *root, const char *rel, char *err, size_t errlen)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	DIR *d = opendir(path);
	if (!d) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char sub[512], file[1536];
		snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
		snprintf(file, sizeof file, "%s/%s", root, sub);
		struct stat st;
		if (stat(file, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			rc = add_dir(set, root, sub, err, errlen);
			continue;
		}
		size_t n = strlen(sub), len, suffix = template_suffix(sub, strlen(sub));
		if (!suffix)
			continue;
		char *src = read_file(file, &len);
		if (!src) {
			snprintf(err, errlen, "cannot read %s", file);
			rc = -1;
			break;
		}
		sub[n - suffix] = '\0';
		rc = tpl_set_add(set, sub, src, len, err, errlen);
		free(src);
	}
	closedir(d);
	return rc;
}

static struct tpl_set *load_dev(char *err, size_t errlen)
{
	struct tpl_set *set = tpl_set_create();
	if (!set)
		return NULL;
	tpl_set_asset_resolver(set, resolve_asset, NULL);
	char root[1024], msgs[1024];
	snprintf(root, sizeof root, "%s/templates", dev_dir);
	snprintf(msgs, sizeof msgs, "%s/messages/en", dev_dir);
	struct dirent **names = NULL;
	int n = -1;
	if (add_dir(set, root, "", err, errlen) != 0)
		goto fail;
	n = scandir(msgs, &names, NULL, alphasort);
	if (n < 0) {
		snprintf(err, errlen, "cannot open %s: %s", msgs, strerror(errno));
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		size_t nl = strlen(names[i]->d_name), len;
		if (names[i]->d_name[0] == '.' || nl < 5 ||
		    strcmp(names[i]->d_name + nl - 4, ".txt") != 0)
			continue;
		char file[1400], why[256];
		snprintf(file, sizeof file, "%s/%s", msgs, names[i]->d_name);
		char *m = read_file(file, &len);
		if (!m) {
			snprintf(err, errlen, "cannot read %s", file);
			goto fail;
		}
		int rc = tpl_set_add_messages(set, m, len, why, sizeof why);
		free(m);
		if (rc != 0) {
			snprintf(err, errlen, "%s:%s", file, why);
			goto fail;
		}
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (tpl_set_prepare(set) != 0) {
		snprintf(err, errlen, "out of memory");
		tpl_set_destroy(set);
		return NULL;
	}
	return set;
fail:
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	tpl_set_destroy(set);
	return NULL;
}

int page_init(const char *dir, char *err, size_t errlen)
{
	if (assets_init() != 0) {
		snprintf(err, errlen,
		         "too many static files, or a name too long, under web/static");
		return -1;
	}
	embedded = load_embedded(err, errlen);
	if (!embedded)
		return -1;
	if (dir) {
		dev_dir = strdup(dir);
		struct tpl_set *probe = dev_dir ? load_dev(err, errlen) : NULL;
		if (!probe)
			return -1;
		tpl_set_destroy(probe);
	}
	return 0;
}

void page_shutdown(void)
{
	tpl_set_destroy(embedded);
	embedded = NULL;
	free(dev_dir);
	dev_dir = NULL;
}

const char *page_msg(const char *key)
{
	const char *m = embedded ? tpl_message(embedded, key) : NULL;
	return m ? m : key;
}

static void release_json(void *p)
{
	json_decref(p);
}

/* Site-wide values shown on every page. Falls back to the catalogue's
 * default name when the store does not answer, so error pages still work. */
static json_t *site_object(struct req *req)
{
	const char *name = req->site.name, *support = req->site.support;
	struct db *db = req->site.loaded ? NULL : db_pool_get();
	if (db && db_settings_for_pages(db, req->arena, &name, &support) != DB_OK)
		name = support = NULL;
	if (!name || !name[0])
		name = page_msg("site.default_name");
	return json_pack("{s:s, s:s}", "name", name, "support", support ? support : "");
}

int page_render(struct req *req, int status, const char *tpl, const char *title_key, json_t *data)
{
	json_t *root = data ? data : json_object();
	if (!root || arena_defer(req->arena, release_json, root) != 0)
		return -ENOMEM;
	json_t *site = site_object(req);
	/* Without a catalogue key the title is the handler's own text (a
	 * library page's title from the store), escaped like any value. */
	const char *title = title_key ? page_msg(title_key)
	                              : json_string_value(json_object_get(root, "page_title"));
	json_t *page = json_pack("{s:s, s:s}", "title", title ? title : "", "path",
	                         req->path ? req->path : "/");
	if (req->who.authenticated) {
		/* What the navigation offers follows the policy table. (Only this:
		 * a page that shows the person's name or organization puts it in
		 * its own data.) */
		json_t *who = json_pack("{s:b, s:b, s:b}", "may_members",
		                        policy_allows("org.members.manage", &req->who),
		                        "may_training", policy_allows("course.reports", &req->who),
		                        "may_admin", policy_allows("site.orgs.manage", &req->who));
		if (!who || json_object_set_new(root, "who", who) != 0)
			return -ENOMEM;
	}
	/* Signed-in pages may hold forms anywhere (sign-out); an anonymous page
	 * gets a pre-session token (a nonce cookie, an HMAC) only when its
	 * handler asks with "needs_csrf", so plain pages set no cookie. */
	bool wants = req->who.authenticated || json_is_true(json_object_get(root, "needs_csrf"));
	const char *csrf =
	        wants && req->cfg && req->cfg->csrf_token ? req->cfg->csrf_token(req) : NULL;
	if (csrf && json_object_set_new(root, "csrf", json_string(csrf)) != 0)
		return -ENOMEM;
	if (!site || !page || json_object_set_new(root, "site", site) != 0 ||
	    json_object_set_new(root, "page", page) != 0 ||
	    json_object_set_new(root, "version", json_string(CSEC_VERSION)) != 0)
		return -ENOMEM;

	struct tpl_set *set = embedded;
	char err[256];
	if (dev_dir) {
		set = load_dev(err, sizeof err);
		if (!set) {
			log_msg(LOG_ERROR, "dev templates: %s", err);
			set = embedded;
		}
	}
	buf_reset(&req->resp.body);
	req->resp.body.max = MAX_PAGE_BYTES;
	int rc = tpl_render(set, tpl, root, &req->resp.body);
	if (set != embedded)
		tpl_set_destroy(set);
	if (rc != 0) {
		log_msg(LOG_ERROR, "template %s failed to render (%d)", tpl, rc);
		return rc;
	}
	req->resp.status = status;
	req->resp.content_type = "text/html; charset=utf-8";
	return 0;
}

int page_render_mail(struct arena *a, const char *tpl, json_t *data, const char **subject,
                     const char **body)
{
	json_t *root = data ? data : json_object();
	if (!root || arena_defer(a, release_json, root) != 0)
		return -ENOMEM;
	struct db *db = db_pool_get();
	const char *name = NULL, *support = NULL;
	if (db && db_settings_for_pages(db, a, &name, &support) != DB_OK)
		name = support = NULL;
	json_t *site = json_pack("{s:s, s:s}", "name",
	                         name && name[0] ? name : page_msg("site.default_name"), "support",
	                         support ? support : "");
	if (!site || json_object_set_new(root, "site", site) != 0)
		return -ENOMEM;
	struct buf out;
	buf_init(&out, a, MAIL_TEMPLATE_MAX);
	int rc = tpl_render(embedded, tpl, root, &out);
	if (rc != 0) {
		log_msg(LOG_ERROR, "mail template %s failed to render (%d)", tpl, rc);
		return rc;
	}
	/* The first line is the subject; one blank line; then the body. */
	const char *text = buf_cstr(&out), *nl = strchr(text, '\n');
	if (!nl || nl == text || nl[1] != '\n') {
		log_msg(LOG_ERROR, "mail template %s does not start with a subject line", tpl);
		return -EINVAL;
	}
	char *subj = arena_strndup(a, text, (size_t)(nl - text));
	if (!subj)
		return -ENOMEM;
	*subject = subj;
	*body = nl + 2;
	return 0;
}
