/* render/assets.c — see assets.h. The table is built once at start-up and
 * read-only afterwards, so threads share it without locks. */
#include "render/assets.h"

#include "core/crypto.h"
#include "core/embed.h"

#include <stdio.h>
#include <string.h>

#define MAX_ASSETS 64
#define PREFIX "web/static/"

static struct asset table[MAX_ASSETS];
static size_t count;

static const char *media_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
	        {".css", "text/css; charset=utf-8"},
	        {".js", "text/javascript; charset=utf-8"},
	        {".svg", "image/svg+xml"},
	        {".png", "image/png"},
	        {".jpg", "image/jpeg"},
	        {".ico", "image/x-icon"},
	        {".woff2", "font/woff2"},
	        {".txt", "text/plain; charset=utf-8"},
	        {".json", "application/json"},
	        {".webmanifest", "application/manifest+json"},
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

int assets_init(void)
{
	count = 0;
	size_t plen = strlen(PREFIX);
	for (unsigned long i = 0; i < embed_count; i++) {
		const struct embed_file *f = &embed_files[i];
		if (strncmp(f->name, PREFIX, plen) != 0)
			continue;
		const char *name = f->name + plen;
		if (count == MAX_ASSETS || strlen(name) >= sizeof table[0].name - 10 ||
		    strchr(name, '/'))
			return -1;
		struct asset *a = &table[count++];
		snprintf(a->name, sizeof a->name, "%s", name);
		a->data = f->data;
		a->len = embed_len(f);
		a->type = media_type(name);
		uint8_t digest[CRYPTO_SHA256_BYTES];
		char hex[2 * CRYPTO_SHA256_BYTES + 1];
		crypto_sha256(digest, a->data, a->len);
		crypto_hex(hex, digest, sizeof digest);
		snprintf(a->etag, sizeof a->etag, "\"%.16s\"", hex);
		const char *dot = strrchr(name, '.');
		int stem = dot ? (int)(dot - name) : (int)strlen(name);
		snprintf(a->url, sizeof a->url, "/static/%.*s.%.8s%s", stem, name, hex,
		         dot ? dot : "");
	}
	return 0;
}

const char *assets_url(const char *source_path)
{
	size_t plen = strlen(PREFIX);
	if (strncmp(source_path, PREFIX, plen) != 0)
		return NULL;
	for (size_t i = 0; i < count; i++)
		if (strcmp(table[i].name, source_path + plen) == 0)
			return table[i].url;
	return NULL;
}

const struct asset *assets_find(const char *name, bool *fingerprinted)
{
	*fingerprinted = false;
	for (size_t i = 0; i < count; i++) {
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
		if (strcmp(table[i].url + strlen("/static/"), name) == 0) {
			*fingerprinted = true;
			return &table[i];
		}
	}
	return NULL;
}
