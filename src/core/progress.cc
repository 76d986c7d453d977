#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace kiln {

namespace {

constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string Amount(uint64_t n, const std::string& unit) {
  if (unit == "B") return fmt::format("{:.1f} MB", static_cast<double>(n) / 1e6);
  return fmt::format("{} {}", n, unit);
}

}  // namespace

ProgressBar::ProgressBar(std::string label, uint64_t total, std::string unit, bool enabled)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_ - kRedrawInterval) {}

ProgressBar::~ProgressBar() {
  Finish();
}

bool ProgressBar::Wanted() {
  return isatty(STDERR_FILENO) != 0;
}

void ProgressBar::Update(uint64_t done, uint64_t total) {
  done_ = done;
  if (total != 0) total_ = total;
  if (!enabled_ || finished_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  Draw(false);
}

void ProgressBar::Finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  if (total_ != 0) done_ = total_;
  Draw(true);
  std::fputc('\n', stderr);
}

void ProgressBar::Draw(bool final_draw) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double fraction = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 0.0;
  if (fraction > 1.0) fraction = 1.0;
  int filled = static_cast<int>(fraction * kBarWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kBarWidth - filled), '.');
  std::string rate;
  if (seconds > 0.05 && unit_ == "B") {
    rate = fmt::format(" {:.0f} MB/s", static_cast<double>(done_) / 1e6 / seconds);
  }
  std::string line =
      total_ ? fmt::format("\r{} [{}] {:3.0f}% {}{} {:.1f}s", label_, bar, fraction * 100,
                           Amount(done_, unit_), rate, seconds)
             : fmt::format("\r{} {}{} {:.1f}s", label_, Amount(done_, unit_), rate, seconds);
  if (final_draw) line += " done";
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace kiln
