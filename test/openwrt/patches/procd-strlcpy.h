/*
 * Intelli-Mesh namespace harness: procd is written for musl, which has strlcpy(3); glibc gained
 * it only in 2.38 (Debian 12 ships 2.36). build-userland.sh force-includes this file into procd
 * (gcc -include) when a test compile shows the C library lacks strlcpy.
 *
 * Only the compiler's <stddef.h> is included: a glibc header here would fix the feature-test
 * macros (_GNU_SOURCE, ...) before procd's own sources get to define them.
 */
#include <stddef.h>

static inline size_t intelli_mesh_strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = 0;

	while (src[len] != '\0')
		len++;
	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		for (size_t i = 0; i < n; i++)
			dst[i] = src[i];
		dst[n] = '\0';
	}
	return len;
}

#define strlcpy intelli_mesh_strlcpy
