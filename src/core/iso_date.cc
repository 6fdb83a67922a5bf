#include "core/iso_date.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

namespace docpipe {
namespace {

// Reads `count` digits at `*pos` into `*value`; false (and *pos unmoved) when
// there are fewer.
bool Digits(std::string_view text, size_t* pos, int count, int* value) {
  if (*pos + count > text.size()) return false;
  int number = 0;
  for (int i = 0; i < count; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    number = number * 10 + (c - '0');
  }
  *value = number;
  *pos += count;
  return true;
}

bool Skip(std::string_view text, size_t* pos, char c) {
  if (*pos < text.size() && text[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

struct DateParts {
  int year = 0, month = 0, day = 0, hour = -1, minute = 0, second = -1;
  std::string zone;  // "", "Z" or "+HH:MM"
};

// A zone at `pos`: "Z", or a sign and hours with optional minutes, separated
// by ':' (ISO) or "'" (PDF, which may also close with "'"). Anything left
// over makes the date unreadable.
bool ReadZone(std::string_view text, size_t pos, DateParts* parts) {
  if (pos == text.size()) return true;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    parts->zone = "Z";
    ++pos;
    Skip(text, &pos, '\'');  // "Z00'00'" in some PDFs
    return true;
  }
  if (text[pos] != '+' && text[pos] != '-') return false;
  const char sign = text[pos++];
  int hours = 0, minutes = 0;
  if (!Digits(text, &pos, 2, &hours) || hours > 23) return false;
  if (Skip(text, &pos, ':') || Skip(text, &pos, '\'')) {
    if (pos < text.size() && !Digits(text, &pos, 2, &minutes)) return false;
    Skip(text, &pos, '\'');
  } else if (pos < text.size() && !Digits(text, &pos, 2, &minutes)) {
    return false;
  }
  if (minutes > 59 || pos != text.size()) return false;
  char zone[16];
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", sign, hours, minutes);
  parts->zone = zone;
  return true;
}

// PDF: D:YYYYMMDDHHmmSS with every field after the year optional.
bool ReadPdfDate(std::string_view text, DateParts* parts) {
  size_t pos = text.substr(0, 2) == "D:" ? 2 : 0;
  if (!Digits(text, &pos, 4, &parts->year)) return false;
  if (Digits(text, &pos, 2, &parts->month) && Digits(text, &pos, 2, &parts->day) &&
      Digits(text, &pos, 2, &parts->hour) && Digits(text, &pos, 2, &parts->minute)) {
    Digits(text, &pos, 2, &parts->second);
  }
  return ReadZone(text, pos, parts);
}

// ISO 8601 / W3CDTF: YYYY[-MM[-DD[(T| )HH:MM[:SS[.fff]][zone]]]].
bool ReadIsoDate(std::string_view text, DateParts* parts) {
  size_t pos = 0;
  if (!Digits(text, &pos, 4, &parts->year)) return false;
  if (!Skip(text, &pos, '-')) return pos == text.size();
  if (!Digits(text, &pos, 2, &parts->month)) return false;
  if (!Skip(text, &pos, '-')) return pos == text.size();
  if (!Digits(text, &pos, 2, &parts->day)) return false;
  if (pos == text.size()) return true;
  if (!Skip(text, &pos, 'T') && !Skip(text, &pos, ' ')) return false;
  if (!Digits(text, &pos, 2, &parts->hour) || !Skip(text, &pos, ':') || !Digits(text, &pos, 2, &parts->minute)) {
    return false;
  }
  if (Skip(text, &pos, ':')) {
    if (!Digits(text, &pos, 2, &parts->second)) return false;
    if (Skip(text, &pos, '.') || Skip(text, &pos, ',')) {
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    }
  }
  return ReadZone(text, pos, parts);
}

// `token` is 1 to `max_digits` digits.
bool Number(std::string_view token, size_t max_digits, int* value) {
  size_t pos = 0;
  return !token.empty() && token.size() <= max_digits && Digits(token, &pos, static_cast<int>(token.size()), value);
}

// 1-12 for an English month name or its three-letter abbreviation, any case; 0 otherwise.
int MonthNumber(std::string_view token) {
  static constexpr std::string_view kMonths[] = {"january", "february", "march",     "april",   "may",      "june",
                                                 "july",    "august",   "september", "october", "november", "december"};
  std::string lower(token);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (int i = 0; i < 12; ++i) {
    if (lower.size() >= 3 && kMonths[i].substr(0, lower.size()) == lower && (lower.size() == 3 || lower == kMonths[i])) {
      return i + 1;
    }
  }
  return 0;
}

bool ReadClock(std::string_view token, DateParts* parts) {
  size_t pos = 0;
  if (!Digits(token, &pos, 2, &parts->hour) || !Skip(token, &pos, ':') || !Digits(token, &pos, 2, &parts->minute)) {
    return false;
  }
  if (Skip(token, &pos, ':') && !Digits(token, &pos, 2, &parts->second)) return false;
  return pos == token.size();
}

// "GMT", "UT", "UTC" or "Z"; else a numeric zone as RFC 5322 writes it ("+0100").
bool ReadNamedZone(std::string_view token, DateParts* parts) {
  if (token == "GMT" || token == "UT" || token == "UTC" || token == "Z") {
    parts->zone = "Z";
    return true;
  }
  return token.size() == 5 && ReadZone(token, 0, parts);
}

// HTTP dates (RFC 9110 section 5.6.7), which <meta http-equiv="last-modified">
// and "date" metas copy from HTTP headers: "Sun, 06 Nov 1994 08:49:37 GMT"
// (also with a numeric zone, as e-mail writes it), the obsolete RFC 850 form
// "Sunday, 06-Nov-94 08:49:37 GMT", and asctime's "Sun Nov  6 08:49:37 1994"
// (UTC). The weekday is optional and not checked; two-digit years are 19xx
// from 50 on, else 20xx (RFC 5322).
bool ReadHttpDate(std::string_view text, DateParts* parts) {
  std::vector<std::string_view> tokens;
  for (size_t pos = 0; pos < text.size();) {
    const size_t end = std::min(text.find_first_of(" ,", pos), text.size());
    if (end > pos) tokens.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  if (!tokens.empty() && MonthNumber(tokens[0]) == 0 && !tokens[0].empty() && tokens[0][0] > '9') {
    tokens.erase(tokens.begin());  // the weekday
  }
  if (!tokens.empty() && std::count(tokens[0].begin(), tokens[0].end(), '-') == 2) {  // 06-Nov-94
    const std::string_view date = tokens[0];
    const size_t first = date.find('-'), second = date.find('-', first + 1);
    tokens.erase(tokens.begin());
    tokens.insert(tokens.begin(), {date.substr(0, first), date.substr(first + 1, second - first - 1),
                                   date.substr(second + 1)});
  }
  if (tokens.size() == 4 && MonthNumber(tokens[0]) > 0) {  // asctime: Nov 6 08:49:37 1994
    parts->month = MonthNumber(tokens[0]);
    parts->zone = "Z";
    return Number(tokens[1], 2, &parts->day) && ReadClock(tokens[2], parts) && tokens[3].size() == 4 &&
           Number(tokens[3], 4, &parts->year);
  }
  if (tokens.size() != 4 && tokens.size() != 5) return false;
  parts->month = MonthNumber(tokens[1]);
  if (parts->month == 0 || !Number(tokens[0], 2, &parts->day) || !ReadClock(tokens[3], parts)) return false;
  if (tokens[2].size() == 2 && Number(tokens[2], 2, &parts->year)) {
    parts->year += parts->year >= 50 ? 1900 : 2000;
  } else if (tokens[2].size() != 4 || !Number(tokens[2], 4, &parts->year)) {
    return false;
  }
  return parts->day > 0 && (tokens.size() == 4 || ReadNamedZone(tokens[4], parts));
}

bool InRange(const DateParts& parts) {
  if (parts.month > 12 || parts.day > 31) return false;
  if (parts.day > 0 && parts.month == 0) return false;
  return parts.hour <= 23 && parts.minute <= 59 && parts.second <= 60;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\0')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

std::string IsoDate(std::string_view text) {
  text = Trim(text);
  DateParts parts;
  const bool pdf = text.substr(0, 2) == "D:" || (text.size() > 4 && text[4] >= '0' && text[4] <= '9');
  bool read = pdf ? ReadPdfDate(text, &parts) : ReadIsoDate(text, &parts);
  if (!read) {
    parts = DateParts{};
    read = ReadHttpDate(text, &parts);
  }
  if (!read || !InRange(parts)) return "";
  char out[80];
  if (parts.month == 0) {
    std::snprintf(out, sizeof out, "%04d", parts.year);
  } else if (parts.day == 0) {
    std::snprintf(out, sizeof out, "%04d-%02d", parts.year, parts.month);
  } else if (parts.hour < 0) {
    std::snprintf(out, sizeof out, "%04d-%02d-%02d", parts.year, parts.month, parts.day);
  } else if (parts.second < 0) {
    std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d", parts.year, parts.month, parts.day, parts.hour,
                  parts.minute);
  } else {
    std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d", parts.year, parts.month, parts.day, parts.hour,
                  parts.minute, parts.second);
  }
  return parts.hour < 0 ? std::string(out) : std::string(out) + parts.zone;
}

std::string UtcTimestamp(std::chrono::system_clock::time_point time, bool milliseconds) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  size_t length = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  if (milliseconds) {
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
    length += std::snprintf(text + length, sizeof(text) - length, ".%03d", static_cast<int>(millis));
  }
  return std::string(text, length) + "Z";
}

}  // namespace docpipe
