// Which scripts a Tesseract language list reads: the check behind skipping
// text OSD finds in a script the loaded languages cannot read (CJK with
// "eng"), which would otherwise be recognised as confident-looking garbage.
// Pure function; thread-safe.
#pragma once

#include <string_view>

namespace docpipe::ocr {

// Whether `languages` ("eng+deu", "chi_sim", "script/Latin") read text in
// `script`, named as Tesseract's OSD names it ("Latin", "Han", "Cyrillic").
// Latin, and any script the table does not know, counts as read: only a known
// mismatch skips text. Languages the table does not list (eng, deu, fra, ...)
// are taken to be written in Latin.
bool LanguagesReadScript(std::string_view languages, std::string_view script);

}  // namespace docpipe::ocr
