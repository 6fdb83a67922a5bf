#include "docpipe/embed_precision.h"

#include <string>

namespace docpipe {

std::string_view EmbedPrecisionName(EmbedPrecision precision) {
  switch (precision) {
    case EmbedPrecision::kFloat32:
      return "fp32";
    case EmbedPrecision::kBFloat16:
      return "bf16";
    case EmbedPrecision::kInt8:
      return "int8";
  }
  return "?";
}

Result<EmbedPrecision> ParseEmbedPrecision(std::string_view text) {
  if (text == "fp32" || text == "float32") return EmbedPrecision::kFloat32;
  if (text == "bf16" || text == "bfloat16") return EmbedPrecision::kBFloat16;
  if (text == "int8") return EmbedPrecision::kInt8;
  return Status::InvalidArgument("unknown embedding precision '" + std::string(text) +
                                 "'; use fp32, bf16 or int8");
}

}  // namespace docpipe
