/*
 * iface_text.h
 *    Text an exporter sends about an interface (NetFlow v9 / IPFIX
 *    interfaceName and interfaceDescription) made safe to store and print:
 *    see gf_if_info in decode.h for the rules.  Internal to the core.
 */
#ifndef GF_IFACE_TEXT_H
#define GF_IFACE_TEXT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Clean len bytes at src into dst (cap bytes, cap >= 1): end at the first
 * NUL, '?' for each control character and each byte that does not start
 * a valid UTF-8 sequence, no trailing spaces, cut at a character boundary
 * to fit cap - 1 bytes.  dst is always NUL-terminated.  Returns the
 * length written (0: nothing left, the text counts as absent).
 */
size_t		gf_if_text_copy(char *dst, size_t cap, const uint8_t *src, size_t len);

#endif							/* GF_IFACE_TEXT_H */
