// Content-addressed files: dataset versions, model bundles, reports. An artifact's id is the
// XXH3-128 hex of its bytes, so the same bytes are stored once and any damage is detected on read.
// Writes are atomic and durable (temp file, fsync, rename, fsync of the directory), so a reader
// sees either the whole artifact or none of it, even across crashes and concurrent writers.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace kiln {

// The XXH3-128 of `bytes` as 32 lowercase hex characters: the id Put gives those bytes.
std::string ArtifactId(std::string_view bytes);
// True when `id` has the form of an artifact id (32 lowercase hex characters).
bool IsArtifactId(std::string_view id);

// Layout: <root>/<first 2 hex>/<remaining 30 hex>. In-progress writes are hidden files named
// ".tmp-..." next to their destination. Safe to use from several threads and processes at once.
class ArtifactStore {
 public:
  explicit ArtifactStore(std::filesystem::path root);

  // Stores `bytes` and returns their id. `kind` ("dataset", "model", ...) only labels messages;
  // it is not part of the id, so identical bytes of two kinds share one file. Storing bytes that
  // are already present does nothing (a present file of the wrong size is replaced).
  Result<std::string> Put(std::string_view bytes, std::string_view kind);

  // The bytes of artifact `id`, verified against the id: kNotFound when absent, kData when the
  // file no longer hashes to its id, kUsage when `id` is not an artifact id.
  Result<std::string> Get(const std::string& id) const;
  bool Exists(const std::string& id) const;
  Status Remove(const std::string& id);
  // Ids of all stored artifacts, sorted; in-progress writes are not listed.
  Result<std::vector<std::string>> List() const;
  // Ok when the artifact is present and intact; otherwise the error Get would return.
  Status Verify(const std::string& id) const;
  // Where artifact `id` lives (whether or not it exists); empty when `id` is not an artifact id.
  std::filesystem::path PathOf(const std::string& id) const;

  // Deletes temp files left behind by writers that died mid-Put. A live writer holds a lock on
  // its temp file, so running this concurrently with Put is safe.
  Status RemoveStaleTemps();

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace kiln
