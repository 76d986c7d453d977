// Edit distances for "did you mean" suggestions; see text_distance.h.
#include "core/text_distance.h"

#include <algorithm>
#include <vector>

namespace kiln {
namespace {

constexpr size_t kMaxCompared = 256;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsClose(std::string_view word, std::string_view candidate, size_t distance) {
  size_t longer = std::max(word.size(), candidate.size());
  return distance <= std::max<size_t>(1, longer / 3);
}

template <typename Name>
std::optional<std::string> Nearest(std::string_view word, std::span<const Name> candidates) {
  std::string lowered = Lower(word);
  for (const Name& candidate : candidates) {
    if (Lower(candidate) == lowered) return std::string(candidate);
  }
  if (lowered.size() >= 3) {
    for (const Name& candidate : candidates) {
      if (Lower(candidate).starts_with(lowered)) return std::string(candidate);
    }
  }

  std::optional<std::string> best;
  size_t best_distance = 0;
  for (const Name& candidate : candidates) {
    std::string other = Lower(candidate);
    size_t distance = EditDistance(lowered, other);
    if (!IsClose(lowered, other, distance)) continue;
    if (!best || distance < best_distance) {
      best = std::string(candidate);
      best_distance = distance;
    }
  }
  if (best || lowered.size() < 3) return best;

  for (const Name& candidate : candidates) {
    std::string other = Lower(candidate);
    if (other.size() < 3) continue;
    if (other.find(lowered) != std::string::npos || lowered.find(other) != std::string::npos) {
      return std::string(candidate);
    }
  }
  return std::nullopt;
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  a = a.substr(0, std::min(a.size(), kMaxCompared));
  b = b.substr(0, std::min(b.size(), kMaxCompared));

  // Three rows suffice: the transposition step looks back two rows.
  const size_t n = b.size();
  std::vector<size_t> before(n + 1), previous(n + 1), current(n + 1);
  for (size_t j = 0; j <= n; ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= n; ++j) {
      size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[n];
}

std::optional<std::string> NearestName(std::string_view word,
                                       std::span<const std::string_view> candidates) {
  return Nearest(word, candidates);
}

std::optional<std::string> NearestName(std::string_view word,
                                       std::span<const std::string> candidates) {
  return Nearest(word, candidates);
}

}  // namespace kiln
