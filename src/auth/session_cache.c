/* auth/session_cache.c — see session_cache.h. Each thread has SLOTS slots,
 * allocated on first use and freed when the thread exits; a session's slot
 * is chosen by its token hash (random), and a newer session in the same
 * slot replaces the older. No locks: a slot belongs to one thread. */
#include "auth/session_cache.h"

#include "core/arena.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 32
#define TEXT_MAX 256 /* bytes with the NUL, for the e-mail, names and role */

struct slot {
	bool used;
	char hash[65];
	struct session_state state;
	int64_t user_id;
	int64_t org_id; /* 0: no role in an active organization */
	bool site_admin;
	bool must_enrol;
	char email[TEXT_MAX];
	char name[TEXT_MAX];
	char org_name[TEXT_MAX];
	char role[TEXT_MAX];
};

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool key_ok;
static _Thread_local struct slot *slots;

static void on_thread_exit(void *p)
{
	free(p);
}

static void make_key(void)
{
	key_ok = pthread_key_create(&key, on_thread_exit) == 0;
}

/* The slot for hash in this thread's table, allocating the table when
 * create is set; NULL when there is none. */
static struct slot *slot_for(const char *hash, bool create)
{
	if (!slots) {
		if (!create)
			return NULL;
		pthread_once(&once, make_key);
		if (!key_ok || !(slots = calloc(SLOTS, sizeof *slots)))
			return NULL;
		if (pthread_setspecific(key, slots) != 0) {
			free(slots);
			slots = NULL;
			return NULL;
		}
	}
	/* The hash is hex of random bytes: its first two digits spread well. */
	unsigned h = 0;
	for (int i = 0; i < 2 && hash[i]; i++)
		h = h * 16 +
		        (unsigned)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 0x20) - 'a' + 10);
	return &slots[h % SLOTS];
}

static bool same_hash(const struct slot *s, const char *hash)
{
	return s->used && strcmp(s->hash, hash) == 0;
}

bool session_cache_has(const char *hash)
{
	const struct slot *s = slot_for(hash, false);
	return s && same_hash(s, hash);
}

void session_cache_forget(const char *hash)
{
	struct slot *s = slot_for(hash, false);
	if (s && same_hash(s, hash))
		s->used = false;
}

bool session_cache_get(const char *hash, const struct session_state *state, struct arena *a,
                       struct principal *who)
{
	struct slot *s = slot_for(hash, false);
	if (!s || !same_hash(s, hash))
		return false;
	if (s->state.session_id != state->session_id ||
	    s->state.active_org_id != state->active_org_id || s->state.stamp != state->stamp) {
		s->used = false;
		return false;
	}
	memset(who, 0, sizeof *who);
	who->authenticated = true;
	who->session_id = state->session_id;
	who->user_id = s->user_id;
	who->site_admin = s->site_admin;
	who->must_enrol = s->must_enrol;
	who->email = arena_strdup(a, s->email);
	who->name = arena_strdup(a, s->name);
	if (s->org_id) {
		who->org_id = s->org_id;
		who->org_name = arena_strdup(a, s->org_name);
		who->role = arena_strdup(a, s->role);
	}
	memcpy(who->token_hash, hash, sizeof who->token_hash);
	if (!who->email || !who->name || (s->org_id && (!who->org_name || !who->role))) {
		memset(who, 0, sizeof *who); /* out of memory: nobody, not half of someone */
		return false;
	}
	return true;
}

/* Copies text into dst (TEXT_MAX bytes); false when it does not fit. */
static bool keep(char dst[TEXT_MAX], const char *text)
{
	size_t n = text ? strlen(text) : 0;
	if (n >= TEXT_MAX)
		return false;
	memcpy(dst, text ? text : "", n + 1);
	return true;
}

void session_cache_put(const char *hash, const struct session_state *state,
                       const struct principal *who)
{
	struct slot *s = slot_for(hash, true);
	if (!s || strlen(hash) != 64)
		return;
	s->used = false;
	bool has_org = who->org_id != 0 && who->role;
	if (!keep(s->email, who->email) || !keep(s->name, who->name) ||
	    !keep(s->org_name, has_org ? who->org_name : NULL) ||
	    !keep(s->role, has_org ? who->role : NULL))
		return;
	memcpy(s->hash, hash, 65);
	s->state = *state;
	s->user_id = who->user_id;
	s->org_id = has_org ? who->org_id : 0;
	s->site_admin = who->site_admin;
	s->must_enrol = who->must_enrol;
	s->used = true;
}
