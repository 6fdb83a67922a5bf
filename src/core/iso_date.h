// Dates as documents state them (PDF "D:20240305102030+01'00'", W3C/ISO 8601
// "2024-03-05T10:20:30Z", "2024-03", HTTP "Tue, 05 Mar 2024 10:20:30 GMT")
// turned into one ISO 8601 form for
// DocumentMetadata::created / modified. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace docpipe {

// "YYYY", "YYYY-MM", "YYYY-MM-DD", or "YYYY-MM-DDTHH:MM[:SS]" followed by "Z"
// or "+HH:MM" when the input gives a zone; fractional seconds dropped.
// Accepts the PDF date form (with or without "D:"), ISO 8601 / W3CDTF
// with 'T' or a space before the time, and HTTP dates ("Sun, 06 Nov 1994
// 08:49:37 GMT", RFC 850's and asctime's forms, numeric zones as in e-mail).
// Empty for anything else, and for fields out of range (month 13, hour 25).
std::string IsoDate(std::string_view text);

// `time` in UTC as "YYYY-MM-DDTHH:MM:SSZ", or with milliseconds
// ("...:SS.mmmZ", the form SQLite's strftime('%Y-%m-%dT%H:%M:%fZ') writes).
std::string UtcTimestamp(std::chrono::system_clock::time_point time, bool milliseconds = false);

}  // namespace docpipe
