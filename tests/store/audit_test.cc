// The hash-chained audit log on both backends: appending, verifying, detecting tampering, and
// keeping one unbroken chain when several processes append at once.
#include "store/audit.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "store_fixture.h"

namespace kiln {
namespace {

using testing::StoreTest;

class AuditTest : public StoreTest {
 protected:
  Status Append(const std::string& action, const std::string& details = "{}") {
    return db_->Transact([&](Transaction& tx) {
      return AppendAudit(tx, {"tester@host", action, "dataset:adult", details});
    });
  }

  void AppendMany(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(Append("test.event", "{\"i\":" + std::to_string(i) + "}").ok());
    }
  }

  AuditVerification Verify() {
    auto v = VerifyAudit(*db_);
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? *v : AuditVerification{};
  }
};
KILN_STORE_TEST_SUITE(AuditTest);

TEST_P(AuditTest, EmptyLogVerifies) {
  AuditVerification v = Verify();
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.entries_checked, 0);
  EXPECT_EQ(v.head_hash, kAuditGenesisHash);
}

TEST_P(AuditTest, AppendedEntriesFormAChain) {
  AppendMany(3);
  auto entries = ListAudit(*db_, 0);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);

  EXPECT_EQ((*entries)[0].seq, 1);
  EXPECT_EQ((*entries)[0].prev_hash, kAuditGenesisHash);
  EXPECT_EQ((*entries)[1].prev_hash, (*entries)[0].hash);
  EXPECT_EQ((*entries)[2].prev_hash, (*entries)[1].hash);
  EXPECT_EQ((*entries)[2].details_json, "{\"i\":2}");
  EXPECT_EQ((*entries)[2].hash.size(), 64u);
  EXPECT_EQ((*entries)[2].ts.back(), 'Z');
}

TEST_P(AuditTest, IntactLogVerifies) {
  AppendMany(5);
  AuditVerification v = Verify();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.entries_checked, 5);
  EXPECT_EQ(v.head_hash, (*ListAudit(*db_, 1))[0].hash);
}

TEST_P(AuditTest, EditedEntryIsReportedAsHashMismatch) {
  AppendMany(4);
  ASSERT_TRUE(Exec("UPDATE audit_log SET details = '{\"i\":99}' WHERE seq = 2").ok());

  AuditVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 2);
  EXPECT_EQ(v.entries_checked, 1);
  EXPECT_NE(v.reason.find("hash mismatch"), std::string::npos) << v.reason;
}

TEST_P(AuditTest, RehashedEntryIsReportedAsBrokenLinkAtTheNext) {
  AppendMany(4);
  AuditEntry forged = (*ListAudit(*db_, 0))[1];
  forged.actor = "mallory@host";
  forged.hash = Sha256Hex(AuditEntryDigestInput(forged));
  ASSERT_TRUE(
      Exec("UPDATE audit_log SET actor = ?, hash = ? WHERE seq = 2", {forged.actor, forged.hash})
          .ok());

  AuditVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 3);
  EXPECT_NE(v.reason.find("broken link"), std::string::npos) << v.reason;
}

TEST_P(AuditTest, DeletedEntryIsReportedAsGap) {
  AppendMany(4);
  ASSERT_TRUE(Exec("DELETE FROM audit_log WHERE seq = 2").ok());

  AuditVerification v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_broken_seq, 3);
  EXPECT_NE(v.reason.find("gap in seq"), std::string::npos) << v.reason;
}

TEST_P(AuditTest, RolledBackTransactionLeavesNoEntry) {
  Status s = db_->Transact([](Transaction& tx) -> Status {
    KILN_RETURN_IF_ERROR(AppendAudit(tx, {"a@h", "test.event", "x", "{}"}));
    return MakeError(ErrorCode::kData, "abandon");
  });
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(ListAudit(*db_, 0)->empty());
}

TEST_P(AuditTest, ListReturnsTheNewestOldestFirst) {
  AppendMany(5);
  auto entries = ListAudit(*db_, 2);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].seq, 4);
  EXPECT_EQ((*entries)[1].seq, 5);
}

TEST_P(AuditTest, EmptyDetailsAreStoredAsEmptyObject) {
  ASSERT_TRUE(Append("test.event", "").ok());
  EXPECT_EQ((*ListAudit(*db_, 1))[0].details_json, "{}");
}

TEST_P(AuditTest, DetailsMustBeAJsonObject) {
  EXPECT_EQ(Append("test.event", "[1, 2]").code(), ErrorCode::kInternal);
  EXPECT_EQ(Append("test.event", "{oops").code(), ErrorCode::kInternal);
}

// Two processes append at the same time, each through its own connection.
TEST_P(AuditTest, ConcurrentProcessesKeepOneValidChain) {
  constexpr int kPerProcess = 20;
  db_.reset();  // a connection must not cross fork()

  pid_t children[2];
  for (pid_t& child : children) {
    child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto db = Database::Open(uri_);
      if (!db.ok()) _exit(10);
      for (int i = 0; i < kPerProcess; ++i) {
        Status s = (*db)->Transact([&](Transaction& tx) {
          return AppendAudit(tx, {"child@host", "test.concurrent", "x", "{}"});
        });
        if (!s.ok()) _exit(11);
      }
      _exit(0);
    }
  }
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  }

  db_ = OpenAnother();
  ASSERT_NE(db_, nullptr);
  AuditVerification v = Verify();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.entries_checked, 2 * kPerProcess);
}

// A writer killed inside its transaction (after appending, before committing) leaves neither
// its entry nor a lock behind.
TEST_P(AuditTest, WriterKilledMidTransactionLeavesNoTrace) {
  AppendMany(2);
  db_.reset();
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);

  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto db = Database::Open(uri_);
    if (!db.ok()) _exit(10);
    (void)(*db)->Transact([&](Transaction& tx) -> Status {
      if (!AppendAudit(tx, {"doomed@host", "test.doomed", "x", "{}"}).ok()) _exit(11);
      if (write(ready[1], "x", 1) != 1) _exit(12);
      for (;;) pause();
    });
    _exit(13);
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1) << "the child failed before appending";
  kill(child, SIGKILL);
  ASSERT_EQ(waitpid(child, nullptr, 0), child);
  close(ready[0]);
  close(ready[1]);

  db_ = OpenAnother();
  ASSERT_NE(db_, nullptr);
  ASSERT_TRUE(Append("test.after").ok());
  AuditVerification v = Verify();
  EXPECT_TRUE(v.ok) << v.reason;
  EXPECT_EQ(v.entries_checked, 3);
  EXPECT_EQ((*ListAudit(*db_, 1))[0].action, "test.after");
}

TEST(AuditDigestTest, FieldBoundariesAreUnambiguous) {
  AuditEntry a;
  a.actor = "ab";
  a.action = "c";
  AuditEntry b = a;
  b.actor = "a";
  b.action = "bc";
  EXPECT_NE(AuditEntryDigestInput(a), AuditEntryDigestInput(b));
}

TEST(AuditDigestTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CurrentActorTest, IsUserAtHost) {
  unsetenv("KILN_ACTOR");
  std::string actor = CurrentActor();
  EXPECT_NE(actor.find('@'), std::string::npos) << actor;
  EXPECT_NE(actor.front(), '@');
}

TEST(CurrentActorTest, EnvironmentOverrides) {
  setenv("KILN_ACTOR", "ci-bot", 1);
  EXPECT_EQ(CurrentActor(), "ci-bot");
  unsetenv("KILN_ACTOR");
}

}  // namespace
}  // namespace kiln
