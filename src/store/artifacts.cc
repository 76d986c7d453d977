#include "store/artifacts.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>
#include <system_error>

#include <xxhash.h>

namespace kiln {

namespace {

namespace fs = std::filesystem;

constexpr size_t kIdChars = 32;
constexpr size_t kDirChars = 2;
constexpr std::string_view kTempPrefix = ".tmp-";
// A writer whose temp file vanished under it (RemoveStaleTemps raced its open) starts over.
constexpr int kPutAttempts = 3;

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string Errno() {
  return std::strerror(errno);
}

// Closes a file descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_;
};

// Makes a directory entry change (create, rename, unlink) in `dir` survive a crash.
Status SyncDirectory(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() || ::fsync(fd.get()) != 0) {
    return MakeError(ErrorCode::kIo, "cannot sync directory {}: {}", dir.string(), Errno());
  }
  return Status::Ok();
}

// Creates `dir` and any missing parents, syncing each parent whose entries changed.
Status EnsureDirectory(const fs::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return MakeError(ErrorCode::kIo, "{} exists but is not a directory", dir.string());
  }
  fs::path parent = dir.parent_path();
  if (!parent.empty() && parent != dir) KILN_RETURN_IF_ERROR(EnsureDirectory(parent));
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return MakeError(ErrorCode::kIo, "cannot create directory {}: {}", dir.string(), Errno());
  }
  return parent.empty() ? Status::Ok() : SyncDirectory(parent);
}

Status WriteAll(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return MakeError(ErrorCode::kIo, "cannot write {}: {}", path.string(), Errno());
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// A name no other writer, in this or any process, will pick at the same time.
std::string TempName(std::string_view rest) {
  static const uint64_t process_salt = std::random_device{}();
  static std::atomic<uint64_t> counter{0};
  return fmt::format("{}{}-{}-{:x}-{}", kTempPrefix, rest, ::getpid(), process_salt,
                     counter.fetch_add(1));
}

enum class WriteOutcome { kDone, kTempVanished };

// Writes `bytes` to a fresh locked temp file in `dir` and renames it to `path`. The lock tells
// RemoveStaleTemps the file belongs to a live writer.
Result<WriteOutcome> WriteViaTemp(const fs::path& path, std::string_view bytes,
                                  std::string_view kind) {
  fs::path dir = path.parent_path();
  fs::path temp;
  int raw_fd = -1;
  while (raw_fd < 0) {
    temp = dir / TempName(path.filename().string());
    raw_fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (raw_fd < 0 && errno != EEXIST) {
      return MakeError(ErrorCode::kIo, "cannot create {} artifact file {}: {}", kind, temp.string(),
                       Errno());
    }
  }
  Fd fd(raw_fd);
  if (::flock(fd.get(), LOCK_EX) != 0) {
    return MakeError(ErrorCode::kIo, "cannot lock {}: {}", temp.string(), Errno());
  }

  Status written = WriteAll(fd.get(), bytes, temp);
  if (written.ok() && ::fsync(fd.get()) != 0) {
    written = MakeError(ErrorCode::kIo, "cannot sync {}: {}", temp.string(), Errno());
  }
  if (!written.ok()) {
    ::unlink(temp.c_str());
    return written;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    if (errno == ENOENT) return WriteOutcome::kTempVanished;
    Status failed = MakeError(ErrorCode::kIo, "cannot move {} artifact into place at {}: {}", kind,
                              path.string(), Errno());
    ::unlink(temp.c_str());
    return failed;
  }
  return WriteOutcome::kDone;
}

Result<std::string> ReadWholeFile(const fs::path& path, const std::string& id) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) {
      return MakeError(ErrorCode::kNotFound, "artifact {} does not exist (looked for {})", id,
                       path.string());
    }
    return MakeError(ErrorCode::kIo, "cannot open artifact {} at {}: {}", id, path.string(),
                     Errno());
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return MakeError(ErrorCode::kIo, "cannot stat {}: {}", path.string(), Errno());
  }

  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return MakeError(ErrorCode::kIo, "cannot read {}: {}", path.string(), Errno());
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);  // a file that shrank since fstat fails the hash check below
  return bytes;
}

}  // namespace

std::string ArtifactId(std::string_view bytes) {
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return fmt::format("{:016x}{:016x}", h.high64, h.low64);
}

bool IsArtifactId(std::string_view id) {
  return id.size() == kIdChars && IsLowerHex(id);
}

ArtifactStore::ArtifactStore(std::filesystem::path root) : root_(std::move(root)) {}

std::filesystem::path ArtifactStore::PathOf(const std::string& id) const {
  if (!IsArtifactId(id)) return {};
  return root_ / id.substr(0, kDirChars) / id.substr(kDirChars);
}

Result<std::string> ArtifactStore::Put(std::string_view bytes, std::string_view kind) {
  std::string id = ArtifactId(bytes);
  fs::path path = PathOf(id);

  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<uint64_t>(st.st_size) == bytes.size()) {
    return id;
  }
  KILN_RETURN_IF_ERROR(EnsureDirectory(path.parent_path()));

  for (int attempt = 0; attempt < kPutAttempts; ++attempt) {
    KILN_ASSIGN_OR_RETURN(WriteOutcome outcome, WriteViaTemp(path, bytes, kind));
    if (outcome == WriteOutcome::kDone) {
      KILN_RETURN_IF_ERROR(SyncDirectory(path.parent_path()));
      return id;
    }
  }
  return MakeError(ErrorCode::kIo,
                   "cannot store {} artifact {}: its temp file kept disappearing; is another "
                   "process cleaning {}?",
                   kind, id, root_.string());
}

Result<std::string> ArtifactStore::Get(const std::string& id) const {
  if (!IsArtifactId(id)) {
    return MakeError(ErrorCode::kUsage,
                     "'{}' is not an artifact id; ids are 32 lowercase hexadecimal characters", id);
  }
  KILN_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(PathOf(id), id));
  std::string actual = ArtifactId(bytes);
  if (actual != id) {
    return MakeError(ErrorCode::kData,
                     "artifact {} is corrupt: expected hash {}, got {} (file {}); restore it from "
                     "a backup or re-create it",
                     id, id, actual, PathOf(id).string());
  }
  return bytes;
}

bool ArtifactStore::Exists(const std::string& id) const {
  if (!IsArtifactId(id)) return false;
  struct stat st {};
  return ::stat(PathOf(id).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Status ArtifactStore::Remove(const std::string& id) {
  if (!IsArtifactId(id)) {
    return MakeError(ErrorCode::kUsage,
                     "'{}' is not an artifact id; ids are 32 lowercase hexadecimal characters", id);
  }
  fs::path path = PathOf(id);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return MakeError(ErrorCode::kNotFound, "artifact {} does not exist", id);
    return MakeError(ErrorCode::kIo, "cannot remove {}: {}", path.string(), Errno());
  }
  return SyncDirectory(path.parent_path());
}

Result<std::vector<std::string>> ArtifactStore::List() const {
  std::vector<std::string> ids;
  std::error_code ec;
  if (!fs::exists(root_, ec)) return ids;

  for (fs::directory_iterator dirs(root_, ec), end; !ec && dirs != end; dirs.increment(ec)) {
    std::string prefix = dirs->path().filename().string();
    if (prefix.size() != kDirChars || !IsLowerHex(prefix) || !dirs->is_directory()) continue;
    std::error_code inner;
    for (fs::directory_iterator files(dirs->path(), inner); !inner && files != end;
         files.increment(inner)) {
      std::string id = prefix + files->path().filename().string();
      if (IsArtifactId(id) && files->is_regular_file()) ids.push_back(std::move(id));
    }
    if (inner) {
      return MakeError(ErrorCode::kIo, "cannot list {}: {}", dirs->path().string(),
                       inner.message());
    }
  }
  if (ec) return MakeError(ErrorCode::kIo, "cannot list {}: {}", root_.string(), ec.message());
  std::sort(ids.begin(), ids.end());
  return ids;
}

Status ArtifactStore::Verify(const std::string& id) const {
  return Get(id).status();
}

Status ArtifactStore::RemoveStaleTemps() {
  std::error_code ec;
  if (!fs::exists(root_, ec)) return Status::Ok();

  for (fs::recursive_directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    if (it.depth() >= 1) it.disable_recursion_pending();
    if (!it->path().filename().string().starts_with(kTempPrefix)) continue;
    Fd fd(::open(it->path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    // A lock we can take means its writer is gone: flock locks die with their process.
    if (!fd.valid() || ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;
    if (::unlink(it->path().c_str()) != 0 && errno != ENOENT) {
      return MakeError(ErrorCode::kIo, "cannot remove stale temp file {}: {}", it->path().string(),
                       Errno());
    }
  }
  if (ec) return MakeError(ErrorCode::kIo, "cannot list {}: {}", root_.string(), ec.message());
  return Status::Ok();
}

}  // namespace kiln
