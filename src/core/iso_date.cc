#include "core/iso_date.h"

#include <cstdio>
#include <ctime>

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
  if (!(pdf ? ReadPdfDate(text, &parts) : ReadIsoDate(text, &parts)) || !InRange(parts)) return "";
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
