/* core/net.h — IP addresses and CIDR ranges, for deciding which peers are
 * trusted proxies and which client address a request really comes from. */
#ifndef CSEC_CORE_NET_H
#define CSEC_CORE_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_addr {
	int family; /* AF_INET or AF_INET6; IPv4-mapped IPv6 is stored as AF_INET */
	uint8_t bytes[16];
};

struct net_cidr {
	struct net_addr addr;
	unsigned prefix;
};

/* Parses an address ("192.0.2.1", "2001:db8::1", "[::1]"); 0 or -EINVAL. */
int net_addr_parse(const char *s, size_t len, struct net_addr *out);

/* Formats for logs; out must hold 46 bytes. */
void net_addr_format(const struct net_addr *a, char out[46]);

/* Parses a comma-separated list of CIDRs ("127.0.0.1/32, 10.0.0.0/8, ::1");
 * a bare address is a full-length prefix. Writes up to max entries; returns
 * the count, or -EINVAL and the offending item in err. */
int net_cidrs_parse(const char *list, struct net_cidr *out, size_t max, char *err, size_t errlen);

bool net_in_cidrs(const struct net_addr *a, const struct net_cidr *cidrs, size_t n);

/* true for 127.0.0.0/8 and ::1 */
bool net_is_loopback(const struct net_addr *a);

#endif
