// A progress bar for long work (ingest, training). It draws on stderr only when stderr is a
// terminal and --json is off, so logs, pipes and CI output stay clean.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace kiln {

class ProgressBar {
 public:
  // `unit` is "B" (shown as MB and MB/s) or a noun such as "rows"; total 0 means unknown.
  ProgressBar(std::string label, uint64_t total, std::string unit, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(uint64_t done, uint64_t total = 0);
  void Finish();

  // True when progress bars should be drawn by default: stderr is a terminal.
  static bool Wanted();

 private:
  void Draw(bool final_draw);

  std::string label_;
  std::string unit_;
  uint64_t total_;
  uint64_t done_ = 0;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace kiln
