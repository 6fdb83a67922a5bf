// Credentials taken out of a URL or connection string before it is shown
// (logs, /health, reports): "https://user:secret@host/v1?token=abc#model"
// becomes "https://user:***@host/v1?token=***#model". The password of the
// user part and the value of every query parameter are replaced; scheme,
// host, port, path and fragment stay, so the text still says where it points.
// libpq key=value strings get "password=***". Anything else is returned as is.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

namespace docpipe {

std::string RedactCredentials(std::string_view text);

}  // namespace docpipe
