// Appending to and verifying the hash-chained audit log.
#include "store/audit.h"

#include <openssl/evp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <nlohmann/json.hpp>

namespace kiln {
namespace {

constexpr int64_t kVerifyPageSize = 1000;

constexpr const char* kSelectColumns =
    "SELECT seq, ts, actor, action, subject, details, prev_hash, hash FROM audit_log";

AuditEntry EntryFromRow(const SqlRow& row) {
  AuditEntry e;
  e.seq = SqlInt(row[0]);
  e.ts = SqlText(row[1]);
  e.actor = SqlText(row[2]);
  e.action = SqlText(row[3]);
  e.subject = SqlText(row[4]);
  e.details_json = SqlText(row[5]);
  e.prev_hash = SqlText(row[6]);
  e.hash = SqlText(row[7]);
  return e;
}

void AppendField(std::string& out, const std::string& field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += '\n';
}

// Why `entry` breaks the chain after an entry with `prev_seq` and `prev_hash`; empty if intact.
std::string CheckEntry(const AuditEntry& entry, int64_t prev_seq, const std::string& prev_hash) {
  if (entry.seq != prev_seq + 1) {
    return fmt::format("gap in seq: expected entry {} but found {} (entries were deleted)",
                       prev_seq + 1, entry.seq);
  }
  if (entry.prev_hash != prev_hash) {
    return fmt::format(
        "broken link: prev_hash does not match the hash of entry {} "
        "(an earlier entry was replaced or rehashed)",
        prev_seq);
  }
  if (Sha256Hex(AuditEntryDigestInput(entry)) != entry.hash) {
    return "hash mismatch: the entry was changed after it was written";
  }
  return "";
}

std::string UserName() {
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::string buf(size > 0 ? static_cast<size_t>(size) : 16384, '\0');
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(geteuid(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr &&
      found->pw_name != nullptr && found->pw_name[0] != '\0') {
    return found->pw_name;
  }
  if (const char* user = std::getenv("USER"); user != nullptr && user[0] != '\0') return user;
  return "uid" + std::to_string(geteuid());
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "unknown-host";
  return buf;
}

}  // namespace

std::string AuditEntryDigestInput(const AuditEntry& entry) {
  std::string out = "kiln-audit-v1\n";
  AppendField(out, std::to_string(entry.seq));
  AppendField(out, entry.ts);
  AppendField(out, entry.actor);
  AppendField(out, entry.action);
  AppendField(out, entry.subject);
  AppendField(out, entry.details_json);
  AppendField(out, entry.prev_hash);
  return out;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

Status AppendAudit(Transaction& tx, const AuditEvent& event) {
  AuditEntry entry;
  entry.actor = event.actor;
  entry.action = event.action;
  entry.subject = event.subject;
  entry.details_json = event.details_json.empty() ? "{}" : event.details_json;
  auto details = nlohmann::json::parse(entry.details_json, nullptr, false);
  if (details.is_discarded() || !details.is_object()) {
    return MakeError(ErrorCode::kInternal,
                     "audit event {} on {}: details must be a JSON object, got: {}", event.action,
                     event.subject, entry.details_json.substr(0, 80));
  }

  // Readers may still read the log; only one appender at a time gets past this point.
  if (tx.backend() == "postgresql") {
    KILN_RETURN_IF_ERROR(tx.Exec("LOCK TABLE audit_log IN EXCLUSIVE MODE"));
  }
  KILN_ASSIGN_OR_RETURN(auto last, tx.Query("SELECT seq, hash FROM audit_log "
                                            "ORDER BY seq DESC LIMIT 1"));
  entry.seq = last.empty() ? 1 : SqlInt(last[0][0]) + 1;
  entry.prev_hash = last.empty() ? kAuditGenesisHash : SqlText(last[0][1]);
  entry.ts = SqlTimestampNow();
  entry.hash = Sha256Hex(AuditEntryDigestInput(entry));

  return tx.Exec(
      "INSERT INTO audit_log (seq, ts, actor, action, subject, details, prev_hash, hash) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      {entry.seq, entry.ts, entry.actor, entry.action, entry.subject, entry.details_json,
       entry.prev_hash, entry.hash});
}

Result<AuditVerification> VerifyAudit(Database& db) {
  AuditVerification result;
  Status status = db.Transact([&](Transaction& tx) -> Status {
    result = AuditVerification();
    result.head_hash = kAuditGenesisHash;
    int64_t prev_seq = 0;
    for (;;) {
      KILN_ASSIGN_OR_RETURN(
          auto rows, tx.Query(std::string(kSelectColumns) + " WHERE seq > ? ORDER BY seq LIMIT ?",
                              {prev_seq, kVerifyPageSize}));
      for (const SqlRow& row : rows) {
        AuditEntry entry = EntryFromRow(row);
        std::string broken = CheckEntry(entry, prev_seq, result.head_hash);
        if (!broken.empty()) {
          result.ok = false;
          result.first_broken_seq = entry.seq;
          result.reason = std::move(broken);
          return Status::Ok();
        }
        ++result.entries_checked;
        prev_seq = entry.seq;
        result.head_hash = entry.hash;
      }
      if (static_cast<int64_t>(rows.size()) < kVerifyPageSize) return Status::Ok();
    }
  });
  if (!status.ok()) return status.WithContext("while verifying the audit log");
  return result;
}

Result<std::vector<AuditEntry>> ListAudit(Database& db, int64_t limit) {
  std::vector<AuditEntry> entries;
  Status status = db.Transact([&](Transaction& tx) -> Status {
    entries.clear();
    std::vector<SqlRow> rows;
    if (limit > 0) {
      KILN_ASSIGN_OR_RETURN(
          rows, tx.Query(std::string(kSelectColumns) + " ORDER BY seq DESC LIMIT ?", {limit}));
    } else {
      KILN_ASSIGN_OR_RETURN(rows, tx.Query(std::string(kSelectColumns) + " ORDER BY seq DESC"));
    }
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) entries.push_back(EntryFromRow(*it));
    return Status::Ok();
  });
  if (!status.ok()) return status.WithContext("while listing the audit log");
  return entries;
}

std::string CurrentActor() {
  if (const char* actor = std::getenv("KILN_ACTOR"); actor != nullptr && actor[0] != '\0') {
    return actor;
  }
  return UserName() + "@" + HostName();
}

}  // namespace kiln
