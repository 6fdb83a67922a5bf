#include "ocr/script_coverage.h"

#include <string>
#include <unordered_map>
#include <unordered_set>

namespace docpipe::ocr {
namespace {

// OSD's scripts (tessdata osd.traineddata) and the Tesseract languages
// written in them. Han text often comes back as "Japanese" and vice versa,
// and Korean mixes Hangul with Han: each CJK language reads all three names.
const std::unordered_map<std::string_view, std::unordered_set<std::string_view>>& ScriptLanguages() {
  static const auto* table = new std::unordered_map<std::string_view, std::unordered_set<std::string_view>>{
      {"Han", {"chi_sim", "chi_tra", "chi_sim_vert", "chi_tra_vert", "jpn", "jpn_vert", "kor", "kor_vert"}},
      {"Japanese", {"jpn", "jpn_vert", "chi_sim", "chi_tra", "chi_sim_vert", "chi_tra_vert"}},
      {"Hangul", {"kor", "kor_vert"}},
      {"Korean", {"kor", "kor_vert"}},
      {"Cyrillic", {"rus", "ukr", "bel", "bul", "mkd", "srp", "kaz", "kir", "mon", "tgk", "uzb_cyrl", "aze_cyrl"}},
      {"Greek", {"ell", "grc"}},
      {"Arabic", {"ara", "fas", "urd", "pus", "snd", "uig", "kur_ara"}},
      {"Hebrew", {"heb", "yid"}},
      {"Devanagari", {"hin", "mar", "nep", "san"}},
      {"Bengali", {"ben", "asm"}},
      {"Thai", {"tha"}},
      {"Tamil", {"tam"}},
      {"Telugu", {"tel"}},
      {"Kannada", {"kan"}},
      {"Malayalam", {"mal"}},
      {"Gujarati", {"guj"}},
      {"Gurmukhi", {"pan"}},
      {"Georgian", {"kat", "kat_old"}},
      {"Armenian", {"hye"}},
      {"Ethiopic", {"amh", "tir"}},
      {"Khmer", {"khm"}},
      {"Lao", {"lao"}},
      {"Myanmar", {"mya"}},
      {"Sinhala", {"sin"}},
      {"Tibetan", {"bod", "dzo"}},
  };
  return *table;
}

bool IsCjk(std::string_view script) {
  return script == "Han" || script == "Japanese" || script == "Hangul" || script == "Korean" ||
         script.starts_with("HanS") || script.starts_with("HanT") || script.starts_with("Japanese") ||
         script.starts_with("Hangul");
}

// "script/Cyrillic" reads Cyrillic; any of the CJK script models reads all
// the CJK names, as the languages do.
bool ScriptModelReads(std::string_view model, std::string_view script) {
  return model == script || (IsCjk(model) && IsCjk(script));
}

}  // namespace

bool LanguagesReadScript(std::string_view languages, std::string_view script) {
  const auto entry = ScriptLanguages().find(script);
  if (entry == ScriptLanguages().end()) return true;  // Latin, or a script this table does not know
  size_t start = 0;
  while (start <= languages.size()) {
    size_t end = languages.find('+', start);
    if (end == std::string_view::npos) end = languages.size();
    const std::string_view language = languages.substr(start, end - start);
    start = end + 1;
    if (language.empty()) continue;
    if (language.starts_with("script/")) {
      if (ScriptModelReads(language.substr(7), script)) return true;
      continue;
    }
    if (entry->second.count(language)) return true;
  }
  return false;
}

}  // namespace docpipe::ocr
