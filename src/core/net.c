/* core/net.c — see net.h. Parsing is delegated to inet_pton. */
#include "core/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int net_addr_parse(const char *s, size_t len, struct net_addr *out)
{
	char tmp[64];
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof tmp)
		return -EINVAL;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, tmp, out->bytes) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, out->bytes) == 1) {
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(out->bytes, mapped, 12) == 0) {
			memmove(out->bytes, out->bytes + 12, 4);
			memset(out->bytes + 4, 0, 12);
			out->family = AF_INET;
		} else {
			out->family = AF_INET6;
		}
		return 0;
	}
	return -EINVAL;
}

void net_addr_format(const struct net_addr *a, char out[46])
{
	if (!inet_ntop(a->family, a->bytes, out, 46))
		snprintf(out, 46, "unknown");
}

int net_cidrs_parse(const char *list, struct net_cidr *out, size_t max, char *err, size_t errlen)
{
	size_t n = 0;
	const char *p = list;
	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		while (len && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len) {
			const char *slash = memchr(p, '/', len);
			size_t alen = slash ? (size_t)(slash - p) : len;
			struct net_cidr c;
			int bad = net_addr_parse(p, alen, &c.addr) != 0;
			unsigned maxp = c.addr.family == AF_INET ? 32 : 128;
			c.prefix = maxp;
			if (!bad && slash) {
				unsigned v = 0;
				size_t digits = len - alen - 1;
				bad = digits == 0 || digits > 3;
				for (size_t i = alen + 1; !bad && i < len; i++) {
					if (p[i] < '0' || p[i] > '9')
						bad = 1;
					else
						v = v * 10 + (unsigned)(p[i] - '0');
				}
				if (!bad && v > maxp)
					bad = 1;
				c.prefix = v;
			}
			if (bad || n >= max) {
				snprintf(err, errlen, "%s: \"%.*s\"",
				         bad ? "not an IP address or CIDR range"
				             : "too many ranges",
				         (int)(len > 64 ? 64 : len), p);
				return -EINVAL;
			}
			out[n++] = c;
		}
		p = end ? end + 1 : NULL;
	}
	return (int)n;
}

static bool in_cidr(const struct net_addr *a, const struct net_cidr *c)
{
	if (a->family != c->addr.family)
		return false;
	unsigned full = c->prefix / 8, rest = c->prefix % 8;
	if (memcmp(a->bytes, c->addr.bytes, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xffu << (8 - rest));
		if ((a->bytes[full] & mask) != (c->addr.bytes[full] & mask))
			return false;
	}
	return true;
}

bool net_in_cidrs(const struct net_addr *a, const struct net_cidr *cidrs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (in_cidr(a, &cidrs[i]))
			return true;
	return false;
}

bool net_is_loopback(const struct net_addr *a)
{
	static const uint8_t v6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	if (a->family == AF_INET)
		return a->bytes[0] == 127;
	return memcmp(a->bytes, v6, 16) == 0;
}
