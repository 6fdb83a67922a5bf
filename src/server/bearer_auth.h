// The API key check: "Authorization: Bearer <key>", the scheme in any case
// (RFC 9110 11.1), the key compared byte for byte as received (no decoding,
// no stopping at NUL) in time that does not depend on where it differs.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace docpipe::server {

// True when `api_key` is empty (no key configured) or `authorization` (the
// header's value, as received) carries it.
bool BearerAuthorized(std::string_view authorization, std::string_view api_key);

}  // namespace docpipe::server
