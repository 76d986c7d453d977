// The content-addressed artifact store: ids, layout, verification on read, and the clean-up of
// writes that never finished.
#include "store/artifacts.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>

#include "test_util.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

// Overwrites a stored artifact the way disk damage or a careless edit would.
void Damage(const fs::path& path, const std::string& content) {
  fs::permissions(path, fs::perms::owner_write, fs::perm_options::add);
  WriteFile(path, content);
}

TEST(ArtifactStore, IdIsTheXxh3Of128BitsOfTheBytes) {
  // XXH3-128 of the empty input, as `xxh128sum` prints it.
  EXPECT_EQ(ArtifactId(""), "99aa06d3014798d86001c324468d497f");
  TempDir dir;
  ArtifactStore store(dir.path());
  EXPECT_EQ(*store.Put("hello", "test"), ArtifactId("hello"));
}

TEST(ArtifactStore, PutStoresUnderATwoCharacterDirectory) {
  TempDir dir;
  ArtifactStore store(dir / "artifacts");
  std::string id = *store.Put("model bytes", "model");
  fs::path expected = dir / "artifacts" / id.substr(0, 2) / id.substr(2);
  EXPECT_EQ(store.PathOf(id), expected);
  EXPECT_EQ(ReadFile(expected), "model bytes");
}

TEST(ArtifactStore, GetReturnsWhatPutStored) {
  TempDir dir;
  ArtifactStore store(dir.path());
  std::string bytes("a\0b\xff", 4);
  std::string id = *store.Put(bytes, "blob");
  Result<std::string> got = store.Get(id);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(*got, bytes);
  EXPECT_TRUE(store.Exists(id));
  EXPECT_TRUE(store.Verify(id).ok());
}

TEST(ArtifactStore, EmptyArtifactsAreAllowed) {
  TempDir dir;
  ArtifactStore store(dir.path());
  std::string id = *store.Put("", "empty");
  EXPECT_EQ(*store.Get(id), "");
}

TEST(ArtifactStore, PuttingTheSameBytesAgainLeavesTheFileAlone) {
  TempDir dir;
  ArtifactStore store(dir.path());
  std::string id = *store.Put("same", "x");
  struct stat before {};
  ASSERT_EQ(::stat(store.PathOf(id).c_str(), &before), 0);
  EXPECT_EQ(*store.Put("same", "x"), id);
  struct stat after {};
  ASSERT_EQ(::stat(store.PathOf(id).c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(*store.List(), std::vector<std::string>{id});
}

TEST(ArtifactStore, PutReplacesATruncatedCopy) {
  TempDir dir;
  ArtifactStore store(dir.path());
  std::string id = *store.Put("complete content", "x");
  Damage(store.PathOf(id), "compl");
  EXPECT_EQ(*store.Put("complete content", "x"), id);
  EXPECT_EQ(*store.Get(id), "complete content");
}

TEST(ArtifactStore, AbsentArtifactIsNotFound) {
  TempDir dir;
  ArtifactStore store(dir.path());
  std::string id = ArtifactId("never stored");
  EXPECT_EQ(store.Get(id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store.Verify(id).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(store.Exists(id));
}

TEST(ArtifactStore, DamagedArtifactFailsOnRead) {
  TempDir dir;
  ArtifactStore store(dir.path());
  std::string id = *store.Put("precious", "x");
  Damage(store.PathOf(id), "precioUs");
  Result<std::string> got = store.Get(id);
  EXPECT_EQ(got.status().code(), ErrorCode::kData);
  EXPECT_NE(got.status().message().find("artifact " + id + " is corrupt: expected hash " + id +
                                        ", got " + ArtifactId("precioUs")),
            std::string::npos)
      << got.status().message();
  EXPECT_EQ(store.Verify(id).code(), ErrorCode::kData);
}

TEST(ArtifactStore, MalformedIdsNeverReachTheFileSystem) {
  TempDir dir;
  ArtifactStore store(dir / "store");
  WriteFile(dir / "secret", "x");
  for (std::string id :
       {"../secret", "../../../../../etc/passwd", "", "abc", "99AA06D3014798D86001C324468D497F",
        "99aa06d3014798d86001c324468d497f0", "99aa06d3014798d86001c324468d49/f"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(store.Get(id).status().code(), ErrorCode::kUsage);
    EXPECT_EQ(store.Remove(id).code(), ErrorCode::kUsage);
    EXPECT_FALSE(store.Exists(id));
    EXPECT_TRUE(store.PathOf(id).empty());
  }
  EXPECT_TRUE(fs::exists(dir / "secret"));
}

TEST(ArtifactStore, RemoveDeletesAndThenReportsNotFound) {
  TempDir dir;
  ArtifactStore store(dir.path());
  std::string id = *store.Put("temporary", "x");
  EXPECT_TRUE(store.Remove(id).ok());
  EXPECT_FALSE(store.Exists(id));
  EXPECT_EQ(store.Remove(id).code(), ErrorCode::kNotFound);
}

TEST(ArtifactStore, ListReturnsSortedIdsOnly) {
  TempDir dir;
  ArtifactStore store(dir.path());
  std::vector<std::string> ids = {*store.Put("one", "x"), *store.Put("two", "x"),
                                  *store.Put("three", "x")};
  std::sort(ids.begin(), ids.end());
  fs::path sub = store.PathOf(ids[0]).parent_path();
  WriteFile(sub / ".tmp-0123-45-6-7", "partial");
  WriteFile(sub / "notes.txt", "stranger");
  WriteFile(dir / "README", "stranger");
  EXPECT_EQ(*store.List(), ids);
}

TEST(ArtifactStore, ListOfAMissingRootIsEmpty) {
  TempDir dir;
  ArtifactStore store(dir / "nothing-here");
  Result<std::vector<std::string>> ids = store.List();
  ASSERT_TRUE(ids.ok());
  EXPECT_TRUE(ids->empty());
}

TEST(ArtifactStore, RemoveStaleTempsDeletesOnlyAbandonedWrites) {
  TempDir dir;
  ArtifactStore store(dir.path());
  std::string id = *store.Put("kept", "x");
  fs::path sub = store.PathOf(id).parent_path();
  fs::path abandoned = sub / ".tmp-aaaa-1-2-3";
  fs::path in_progress = sub / ".tmp-bbbb-1-2-4";
  WriteFile(abandoned, "half");
  WriteFile(in_progress, "half");
  int live = ::open(in_progress.c_str(), O_RDONLY);
  ASSERT_GE(live, 0);
  ASSERT_EQ(::flock(live, LOCK_EX), 0);

  EXPECT_TRUE(store.RemoveStaleTemps().ok());
  EXPECT_FALSE(fs::exists(abandoned));
  EXPECT_TRUE(fs::exists(in_progress));
  EXPECT_EQ(*store.Get(id), "kept");
  ::close(live);
}

TEST(ArtifactStore, StoredFilesAreReadOnly) {
  TempDir dir;
  ArtifactStore store(dir.path());
  std::string id = *store.Put("immutable", "x");
  fs::perms p = fs::status(store.PathOf(id)).permissions();
  EXPECT_EQ(p & fs::perms::owner_write, fs::perms::none);
}

TEST(ArtifactStore, ConcurrentPutsOfTheSameBytesAgree) {
  TempDir dir;
  ArtifactStore store(dir.path());
  std::string bytes(1 << 20, 'z');
  std::vector<std::thread> writers;
  std::vector<std::string> ids(8);
  for (size_t t = 0; t < ids.size(); ++t) {
    writers.emplace_back([&, t] { ids[t] = store.Put(bytes, "x").value(); });
  }
  for (std::thread& w : writers) w.join();
  for (const std::string& id : ids) EXPECT_EQ(id, ArtifactId(bytes));
  EXPECT_EQ(store.List()->size(), 1u);
  EXPECT_TRUE(store.Verify(ids[0]).ok());
}

}  // namespace
}  // namespace kiln
