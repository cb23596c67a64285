// Package jsonstr writes text as the inside of a JSON string (RFC 8259
// §7), escaping what JavaScript's JSON.stringify escapes and nothing
// else: the quotation mark, the reverse solidus, \b \f \n \r \t by name,
// and every other control character below U+0020 as \u00xx (lower-case
// hex). Everything else, non-ASCII included, is copied as it is, so the
// text the reference clients of real-time frameworks send (a GraphQL
// query, an Action Cable channel identifier) comes out byte for byte the
// same.
//
// The input is expected to be UTF-8 (the per-client templates guarantee
// it for message bodies); bytes that are not are copied unchanged.
//
// Profiles render a template into a message buffer and then escape it
// where it lies (EscapeTail), so a per-connection join message costs no
// allocation once the buffer has room.
package jsonstr
