/* features/course/certcode.c — making and reading certificate codes (see
 * certcode.h). */
#include "features/course/certcode.h"

#include "core/crypto.h"

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>

void cert_code_new(char out[CERT_CODE_LEN + 1])
{
	static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; /* Crockford */
	uint8_t r[12];
	crypto_random(r, sizeof r);
	size_t k = 0;
	for (int i = 0; i < 12; i++) {
		if (i == 4 || i == 8)
			out[k++] = '-';
		out[k++] = alphabet[r[i] & 31]; /* 256 is a multiple of 32: no bias */
	}
	out[k] = '\0';
	crypto_wipe(r, sizeof r);
}

bool cert_code_normalize(const char *in, char out[CERT_CODE_LEN + 1])
{
	size_t n = 0;
	out[0] = '\0';
	if (!in)
		return false;
	char raw[12];
	for (const char *p = in; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '-' || c == ' ')
			continue;
		if (c >= 0x80 || !isalnum(c) || n == sizeof raw)
			return false;
		c = (unsigned char)toupper(c);
		/* Codes are Crockford base 32, which has no I, L or O: read
		 * from paper they are a 1 and a 0 (as Crockford's decoding
		 * says). */
		if (c == 'I' || c == 'L')
			c = '1';
		else if (c == 'O')
			c = '0';
		raw[n++] = (char)c;
	}
	if (n != sizeof raw)
		return false;
	for (size_t i = 0, j = 0; i < sizeof raw; i++) {
		if (i && i % 4 == 0)
			out[j++] = '-';
		out[j++] = raw[i];
		out[j] = '\0';
	}
	return true;
}
