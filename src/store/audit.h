// The audit log: an append-only, hash-chained record of every state change in the store. Each
// entry's hash covers its own fields and the previous entry's hash, so editing, deleting or
// reordering any entry breaks the chain from that point on and VerifyAudit reports where.
// Entries are appended inside the transaction that makes the change, so the log and the state
// can never disagree. (Truncating the newest entries leaves a valid shorter chain; record the
// head hash elsewhere when that matters.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/database.h"

namespace kiln {

struct AuditEvent {
  std::string actor;         // who: see CurrentActor()
  std::string action;        // what, as a dotted verb: "dataset.add", "model.promote"
  std::string subject;       // on what: "dataset:adult@3f2a9c", "model:churn"
  std::string details_json;  // a JSON object with the figures; empty means {}
};

struct AuditEntry {
  int64_t seq = 0;  // 1, 2, 3, ... without gaps
  std::string ts;   // UTC, see SqlTimestampNow()
  std::string actor;
  std::string action;
  std::string subject;
  std::string details_json;
  std::string prev_hash;  // the previous entry's hash; 64 zeros for the first
  std::string hash;       // SHA-256 (hex) of AuditEntryDigestInput(*this)
};

struct AuditVerification {
  int64_t entries_checked = 0;  // entries whose hash and link were found intact
  bool ok = true;
  int64_t first_broken_seq = 0;  // 0 when ok
  std::string reason;            // why that entry is broken; empty when ok
  std::string head_hash;         // hash of the last intact entry (64 zeros for an empty log)
};

// The `prev_hash` of the first entry.
inline const std::string kAuditGenesisHash(64, '0');

// Appends `event` as the next entry. On PostgreSQL it locks the log so that appenders take
// turns; call it late in a transaction to hold that lock briefly. Fails with kInternal when
// details_json is not a JSON object.
Status AppendAudit(Transaction& tx, const AuditEvent& event);

// Recomputes every hash and link, oldest first, and stops at the first broken entry.
Result<AuditVerification> VerifyAudit(Database& db);

// The newest `limit` entries (all when limit <= 0), oldest first.
Result<std::vector<AuditEntry>> ListAudit(Database& db, int64_t limit);

// The bytes an entry's hash is computed over: every field, length-prefixed, so that no two
// different entries encode the same way.
std::string AuditEntryDigestInput(const AuditEntry& entry);

// SHA-256 of `data` as 64 lowercase hex digits.
std::string Sha256Hex(const std::string& data);

// "user@host" for the running process; $KILN_ACTOR, when set, replaces it (for service accounts
// and CI jobs that act on someone's behalf).
std::string CurrentActor();

}  // namespace kiln
