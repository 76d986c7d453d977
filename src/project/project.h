// A Kiln project on disk: kiln.yaml (the problem definition) beside a .kiln/ folder that holds the
// metadata store and the content-addressed artifacts. Every command that works on a project opens
// it here, so the store, the artifacts and the parsed problem definition travel together.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/status.h"
#include "store/artifacts.h"
#include "store/database.h"

namespace kiln {

inline constexpr const char* kProjectDirName = ".kiln";

struct ProjectOptions {
  std::filesystem::path start = ".";  // where to start looking for kiln.yaml, upwards
  std::string store_uri;              // overrides .kiln/store and KILN_STORE when not empty
};

class Project {
 public:
  // Finds kiln.yaml at or above options.start, parses it and opens the store.
  static Result<Project> Open(const ProjectOptions& options);

  const std::filesystem::path& root() const { return root_; }
  const ProblemSpec& spec() const { return spec_; }
  Database& db() { return *db_; }
  ArtifactStore& artifacts() { return artifacts_; }
  const std::string& store_uri() const { return store_uri_; }
  std::filesystem::path contracts_dir() const { return root_ / "contracts"; }

 private:
  Project(std::filesystem::path root, ProblemSpec spec, std::unique_ptr<Database> db,
          std::string store_uri);

  std::filesystem::path root_;
  ProblemSpec spec_;
  std::unique_ptr<Database> db_;
  ArtifactStore artifacts_;
  std::string store_uri_;
};

struct InitOptions {
  std::filesystem::path dir = ".";
  std::string from;       // optional CSV (or source spec) to propose the problem from
  std::string target;     // required with `from`
  std::string store_uri;  // default: sqlite:<dir>/.kiln/kiln.db
  bool force = false;     // overwrite an existing kiln.yaml
};

struct InitReport {
  std::filesystem::path root;
  std::filesystem::path spec_path;
  std::string store_uri;
  std::string task_type;     // proposed, when `from` was given
  std::string proposal_note;  // why that task type and positive class
  bool spec_written = false;
};

// Creates kiln.yaml (commented) and .kiln/ with a migrated store. Refuses to overwrite an existing
// kiln.yaml unless options.force.
Result<InitReport> InitProject(const InitOptions& options);

// Writes `content` to `path` atomically: a temp file in the same folder, fsync, rename.
Status WriteFileAtomic(const std::filesystem::path& path, const std::string& content);

}  // namespace kiln
