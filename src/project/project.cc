#include "project/project.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>

#include "core/config_template.h"
#include "core/propose.h"
#include "data/infer.h"
#include "data/source.h"

namespace kiln {

namespace fs = std::filesystem;

namespace {

constexpr const char* kStoreFile = "store";

std::string DefaultStoreUri(const fs::path& root) {
  return "sqlite:" + (root / kProjectDirName / "kiln.db").string();
}

// The store a project uses: the flag, else KILN_STORE, else .kiln/store, else the SQLite default.
std::string ResolveStoreUri(const fs::path& root, const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("KILN_STORE"); env != nullptr && *env != '\0') return env;
  std::ifstream in(root / kProjectDirName / kStoreFile);
  std::string uri;
  if (in && std::getline(in, uri) && !uri.empty()) return uri;
  return DefaultStoreUri(root);
}

Result<fs::path> FindProjectRoot(const fs::path& start) {
  std::error_code ec;
  fs::path dir = fs::absolute(start, ec).lexically_normal();
  if (ec) return MakeError(ErrorCode::kIo, "cannot resolve {}: {}", start.string(), ec.message());
  if (dir.has_parent_path() && !dir.has_filename()) dir = dir.parent_path();  // drop a trailing '/'

  for (fs::path d = dir;; d = d.parent_path()) {
    if (fs::exists(d / kProblemSpecFileName)) return d;
    if (d == d.root_path()) break;
  }
  return MakeError(ErrorCode::kConfig,
                   "no kiln.yaml in {} or any folder above it; run `kiln init` to create a "
                   "project, or pass --project DIR",
                   dir.string());
}

Status FsyncPath(const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags);
  if (fd < 0) return MakeError(ErrorCode::kIo, "cannot open {} to sync it", path.string());
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return MakeError(ErrorCode::kIo, "cannot sync {}", path.string());
  return Status::Ok();
}

}  // namespace

Status WriteFileAtomic(const fs::path& path, const std::string& content) {
  std::random_device rd;
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return MakeError(ErrorCode::kIo, "cannot write {}; check free space and permissions",
                       path.string());
    }
  }
  KILN_RETURN_IF_ERROR(FsyncPath(tmp, O_RDONLY));
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return MakeError(ErrorCode::kIo, "cannot move {} into place: {}", path.string(),
                     ec.message());
  }
  fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  return FsyncPath(dir, O_RDONLY | O_DIRECTORY);
}

Project::Project(fs::path root, ProblemSpec spec, std::unique_ptr<Database> db,
                 std::string store_uri)
    : root_(std::move(root)),
      spec_(std::move(spec)),
      db_(std::move(db)),
      artifacts_(root_ / kProjectDirName / "artifacts"),
      store_uri_(std::move(store_uri)) {}

Result<Project> Project::Open(const ProjectOptions& options) {
  KILN_ASSIGN_OR_RETURN(fs::path root, FindProjectRoot(options.start));
  KILN_ASSIGN_OR_RETURN(ProblemSpec spec, LoadProblemSpec(root / kProblemSpecFileName));
  if (!fs::is_directory(root / kProjectDirName)) {
    return MakeError(ErrorCode::kConfig,
                     "{} has a kiln.yaml but no {} folder; run `kiln init` there to create the "
                     "store",
                     root.string(), kProjectDirName);
  }
  std::string uri = ResolveStoreUri(root, options.store_uri);
  KILN_ASSIGN_OR_RETURN(std::unique_ptr<Database> db, Database::Open(uri));
  return Project(std::move(root), std::move(spec), std::move(db), std::move(uri));
}

namespace {

Result<InitProposal> ProposeFromSource(const InitOptions& options, const fs::path& root) {
  if (options.target.empty()) {
    return MakeError(ErrorCode::kUsage, "--from needs --target COLUMN: the column to predict");
  }
  KILN_ASSIGN_OR_RETURN(auto source, OpenSource(options.from, SourceOptions{}));
  KILN_ASSIGN_OR_RETURN(RawTable raw, source->Read(ProgressFn{}));
  KILN_ASSIGN_OR_RETURN(Frame frame, InferFrame(raw, InferOptions{}));
  // The spec refers to the source relative to the project so the project can move as a whole.
  std::error_code ec;
  fs::path source_path = fs::absolute(options.from, ec);
  fs::path relative = fs::relative(source_path, root, ec);
  std::string shown = (ec || relative.empty()) ? source_path.string() : relative.string();
  return ProposeProblem(frame, options.target, shown);
}

}  // namespace

Result<InitReport> InitProject(const InitOptions& options) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) {
    return MakeError(ErrorCode::kIo, "cannot create {}: {}", options.dir.string(), ec.message());
  }
  fs::path root = fs::canonical(options.dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot resolve {}", options.dir.string());

  InitReport report;
  report.root = root;
  report.spec_path = root / kProblemSpecFileName;
  bool spec_exists = fs::exists(report.spec_path);
  if (spec_exists && !options.force && !options.from.empty()) {
    return MakeError(ErrorCode::kUsage,
                     "{} already exists; pass --force to replace it with a new proposal",
                     report.spec_path.string());
  }

  if (!spec_exists || options.force) {
    InitProposal proposal;
    proposal.project = root.filename().string();
    if (!options.from.empty()) {
      KILN_ASSIGN_OR_RETURN(proposal, ProposeFromSource(options, root));
      proposal.project = root.filename().string();
      report.task_type = TaskTypeName(proposal.task_type);
      report.proposal_note = proposal.task_reason;
      if (!proposal.positive_class_reason.empty()) {
        report.proposal_note += "; " + proposal.positive_class_reason;
      }
    }
    std::string yaml = RenderKilnYamlTemplate(proposal);
    // A template that does not parse would leave the user with a broken project; refuse instead.
    KILN_RETURN_IF_ERROR(ParseProblemSpec(yaml, report.spec_path.string()).status());
    KILN_RETURN_IF_ERROR(WriteFileAtomic(report.spec_path, yaml));
    report.spec_written = true;
  }

  fs::create_directories(root / kProjectDirName / "artifacts", ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create {}/.kiln", root.string());
  report.store_uri = options.store_uri.empty() ? DefaultStoreUri(root) : options.store_uri;
  if (!options.store_uri.empty()) {
    KILN_RETURN_IF_ERROR(
        WriteFileAtomic(root / kProjectDirName / kStoreFile, options.store_uri + "\n"));
  }
  KILN_ASSIGN_OR_RETURN(auto db, Database::Open(report.store_uri));
  (void)db;
  return report;
}

}  // namespace kiln
