#include "store/pg_conn.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/redact.h"
#include "core/unicode.h"

namespace docpipe::store {
namespace {

bool Contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

std::string Trimmed(const char* message) {
  std::string text = message == nullptr ? "" : message;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// The status code an SQLSTATE stands for.
StatusCode CodeForSqlState(std::string_view state) {
  if (state.substr(0, 2) == "08" || state == "57P01" || state == "57P02" || state == "57P03") {
    return StatusCode::kUnavailable;  // connection lost, server shutting down: worth a retry
  }
  if (state == "40001" || state == "40P01") return StatusCode::kUnavailable;  // serialization, deadlock
  if (state.substr(0, 2) == "23" || state.substr(0, 2) == "22") return StatusCode::kInvalidArgument;
  if (state == "53100" || state == "53200" || state == "54000") return StatusCode::kResourceExhausted;
  if (state == "55P03" || state == "57014") return StatusCode::kTimeout;
  if (state.substr(0, 2) == "28" || state == "42501") return StatusCode::kPermissionDenied;
  if (state == "3D000") return StatusCode::kNotFound;
  return StatusCode::kInternal;
}

// The value libpq used for a connection option (the location's, else ours).
std::string EffectiveOption(PGconn* conn, std::string_view keyword, const std::string& fallback) {
  std::string value = fallback;
  PQconninfoOption* options = PQconninfo(conn);
  for (PQconninfoOption* option = options; option != nullptr && option->keyword != nullptr; ++option) {
    if (keyword == option->keyword && option->val != nullptr) value = option->val;
  }
  PQconninfoFree(options);
  return value;
}

// libpq prints server notices ("...contains only stop words") to stderr by default.
void IgnoreNotice(void*, const char*) {}

void PutBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;
}

}  // namespace

std::string PgRows::Text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<size_t>(PQgetlength(result_.get(), row, column)));
}

int64_t PgRows::Int(int row, int column) const {
  return IsNull(row, column) ? 0 : std::stoll(PQgetvalue(result_.get(), row, column));
}

double PgRows::Double(int row, int column) const {
  return IsNull(row, column) ? 0.0 : std::stod(PQgetvalue(result_.get(), row, column));
}

int64_t PgRows::BinaryInt64(int row, int column) const {
  const std::string_view bytes = Raw(row, column);
  uint64_t value = 0;
  for (size_t i = 0; i < bytes.size() && i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return static_cast<int64_t>(value);
}

std::string PgRows::Bytes(int row, int column) const {
  const std::string hex = Text(row, column);  // "\x0a1b..."
  std::string bytes;
  if (hex.size() < 2) return bytes;
  bytes.reserve((hex.size() - 2) / 2);
  for (size_t i = 2; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(HexValue(hex[i]) * 16 + HexValue(hex[i + 1])));
  }
  return bytes;
}

Result<std::unique_ptr<PgConn>> PgConn::Connect(const std::string& location, int connect_timeout_s) {
  const std::string timeout = std::to_string(connect_timeout_s);
  // Later keywords override earlier ones, and the location is expanded where
  // dbname stands: what the location says wins over these defaults.
  // TCP keepalives notice a server that vanished mid-query (a network cut
  // sends nothing) within about a minute instead of the system's two hours.
  const char* keywords[] = {"connect_timeout",   "application_name",    "client_encoding", "keepalives_idle",
                            "keepalives_interval", "keepalives_count", "dbname",          nullptr};
  const char* values[] = {timeout.c_str(), "docpipe", "UTF8", "30", "10", "3", location.c_str(), nullptr};
  PgConnHandle handle(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  const std::string shown = RedactCredentials(location);
  if (handle == nullptr) return Status::ResourceExhausted(shown + ": out of memory opening a connection");
  if (PQstatus(handle.get()) != CONNECTION_OK) {
    const std::string message = Trimmed(PQerrorMessage(handle.get()));
    if (Contains(message, "password authentication failed") || Contains(message, "no password supplied") ||
        Contains(message, "authentication failed")) {
      return Status::PermissionDenied(fmt::format("{}: the server refused the credentials: {}", shown, message));
    }
    if (Contains(message, "does not exist") && Contains(message, "database")) {
      return Status::NotFound(fmt::format("{}: {}", shown, message));
    }
    if (Contains(message, "timeout expired")) {
      return Status::Unavailable(fmt::format("{}: the server did not answer within {} s (connect_timeout): {}", shown,
                                             EffectiveOption(handle.get(), "connect_timeout", timeout), message));
    }
    if (Contains(message, "invalid") || Contains(message, "missing \"=\"")) {
      return Status::InvalidArgument(fmt::format("{}: not a usable PostgreSQL location: {}", shown, message));
    }
    return Status::Unavailable(fmt::format("{}: cannot connect to the server: {}", shown, message));
  }
  PQsetNoticeProcessor(handle.get(), IgnoreNotice, nullptr);
  return std::make_unique<PgConn>(shown, std::move(handle));
}

Status PgConn::Error(const PGresult* result, std::string_view doing) const {
  const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  std::string message = Trimmed(result != nullptr ? PQresultErrorMessage(result) : "");
  if (message.empty()) message = Trimmed(PQerrorMessage(handle_.get()));
  StatusCode code = state != nullptr ? CodeForSqlState(state) : StatusCode::kInternal;
  if (!alive()) {
    code = StatusCode::kUnavailable;
    message = "the connection to the server was lost: " + message;
  }
  return Status(code, fmt::format("{}: {}: {}", location_, doing, message));
}

Result<PgRows> PgConn::Exec(std::string_view sql, const PgParams& params, bool binary_results) {
  const std::string text(sql);
  PgResultHandle result;
  if (params.empty() && !binary_results) {
    result.reset(PQexec(handle_.get(), text.c_str()));
  } else {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
    result.reset(PQexecParams(handle_.get(), text.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, binary_results ? 1 : 0));
  }
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Error(result.get(), text.substr(0, text.find_first_of(" (")) + " failed");
  }
  return PgRows(std::move(result));
}

Status PgConn::ExecEach(std::string_view sql, const std::vector<PgParams>& each, std::string_view doing,
                        std::vector<PgRows>& rows) {
  // Statements go in groups, each closed by a sync point and read back before
  // the next is sent: in blocking mode the server must never be left unable
  // to send results because the client is still writing.
  constexpr size_t kGroup = 256;
  const std::string text(sql);
  PGconn* conn = handle_.get();
  rows.clear();
  rows.reserve(each.size());
  if (PQenterPipelineMode(conn) != 1) return Error(nullptr, "entering pipeline mode");
  Status status;
  std::vector<const char*> values;
  for (size_t first = 0; first < each.size() && status.ok(); first += kGroup) {
    const size_t end = std::min(each.size(), first + kGroup);
    bool sent = true;
    for (size_t i = first; i < end && sent; ++i) {
      values.clear();
      for (const auto& param : each[i]) values.push_back(param ? param->c_str() : nullptr);
      sent = PQsendQueryParams(conn, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                               nullptr, 0) == 1;
    }
    if (!sent || PQpipelineSync(conn) != 1) {
      status = Error(nullptr, doing);
      break;
    }
    // Each statement's result, then the null that ends it; a statement after
    // a failed one comes back as PIPELINE_ABORTED; then the sync's result.
    for (size_t i = first; i < end; ++i) {
      PgResultHandle result(PQgetResult(conn));
      if (result == nullptr) {  // the connection is gone: nothing more will come
        if (status.ok()) status = Error(nullptr, doing);
        break;
      }
      while (PGresult* rest = PQgetResult(conn)) PQclear(rest);
      const ExecStatusType state = PQresultStatus(result.get());
      if (!status.ok()) continue;
      if (state == PGRES_COMMAND_OK || state == PGRES_TUPLES_OK) {
        rows.emplace_back(std::move(result));
      } else {
        status = Error(result.get(), doing);
      }
    }
    while (PGresult* raw = PQgetResult(conn)) {
      const bool sync = PQresultStatus(raw) == PGRES_PIPELINE_SYNC;
      PQclear(raw);
      if (sync) break;
    }
  }
  if (PQexitPipelineMode(conn) != 1 && status.ok()) status = Error(nullptr, "leaving pipeline mode");
  return status;
}

Status PgConn::BeginCopy(std::string_view copy_sql) {
  const std::string text(copy_sql);
  PgResultHandle result(PQexec(handle_.get(), text.c_str()));
  if (!result || PQresultStatus(result.get()) != PGRES_COPY_IN) return Error(result.get(), "starting COPY");
  return Status::Ok();
}

Status PgConn::SendCopyData(const std::string& bytes) {
  if (PQputCopyData(handle_.get(), bytes.data(), static_cast<int>(bytes.size())) != 1) {
    Status status = Error(nullptr, "sending COPY data");
    (void)EndCopy("sending failed");
    return status;
  }
  return Status::Ok();
}

Status PgConn::EndCopy(const char* error) {
  if (PQputCopyEnd(handle_.get(), error) != 1) return Error(nullptr, "ending COPY");
  Status status;
  // Every result of the COPY must be read before the connection takes another command.
  while (PGresult* raw = PQgetResult(handle_.get())) {
    PgResultHandle result(raw);
    if (PQresultStatus(raw) != PGRES_COMMAND_OK && status.ok() && error == nullptr) {
      status = Error(raw, "COPY");
    }
  }
  return status;
}

Result<std::unique_ptr<PgTransaction>> PgTransaction::Begin(PgConn& conn) {
  DOCPIPE_RETURN_IF_ERROR(conn.Exec("BEGIN").status());
  return std::make_unique<PgTransaction>(conn);
}

PgTransaction::~PgTransaction() {
  if (open_ && conn_.alive()) (void)conn_.Exec("ROLLBACK");
}

Status PgTransaction::Commit() {
  open_ = false;
  return conn_.Exec("COMMIT").status();
}

void PgCopyEncoder::Header(std::string& out) {
  static constexpr char kSignature[] = "PGCOPY\n\377\r\n";  // 11 bytes with its NUL
  out.append(kSignature, sizeof(kSignature));
  PutBigEndian(out, 0, 4);  // flags
  PutBigEndian(out, 0, 4);  // header extension length
}

void PgCopyEncoder::Trailer(std::string& out) { PutBigEndian(out, 0xffff, 2); }
void PgCopyEncoder::Row(std::string& out, int16_t fields) { PutBigEndian(out, static_cast<uint16_t>(fields), 2); }

void PgCopyEncoder::Bool(std::string& out, bool value) {
  PutBigEndian(out, 1, 4);
  out.push_back(value ? '\1' : '\0');
}

void PgCopyEncoder::Int32(std::string& out, int32_t value) {
  PutBigEndian(out, 4, 4);
  PutBigEndian(out, static_cast<uint32_t>(value), 4);
}

void PgCopyEncoder::Int64(std::string& out, int64_t value) {
  PutBigEndian(out, 8, 4);
  PutBigEndian(out, static_cast<uint64_t>(value), 8);
}

void PgCopyEncoder::Float4(std::string& out, float value) {
  PutBigEndian(out, 4, 4);
  PutBigEndian(out, std::bit_cast<uint32_t>(value), 4);
}

void PgCopyEncoder::Float8(std::string& out, double value) {
  PutBigEndian(out, 8, 4);
  PutBigEndian(out, std::bit_cast<uint64_t>(value), 8);
}

void PgCopyEncoder::Text(std::string& out, std::string_view value) {
  PutBigEndian(out, static_cast<uint32_t>(value.size()), 4);
  out.append(value);
}

void PgCopyEncoder::Bytes(std::string& out, std::string_view value) { Text(out, value); }

void PgCopyEncoder::Jsonb(std::string& out, std::string_view json) {
  PutBigEndian(out, static_cast<uint32_t>(json.size() + 1), 4);
  out.push_back('\1');  // jsonb binary format version
  out.append(json);
}

void PgCopyEncoder::Null(std::string& out) { PutBigEndian(out, 0xffffffffu, 4); }

std::string PgText(std::string_view text) {
  if (IsValidUtf8(text) && text.find('\0') == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    const char32_t codepoint = NextCodepoint(text, pos);
    if (codepoint != 0) AppendUtf8(out, codepoint);
  }
  return out;
}

}  // namespace docpipe::store
