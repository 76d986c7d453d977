// Arc-length thinning of curves and even sampling of points for the report's charts.
#include "report/curve_thinning.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kiln {
namespace {

double Range(std::span<const double> v) {
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const double range = *hi - *lo;
  // A flat axis contributes nothing to the length; dividing by 1 keeps it so without a 0/0.
  return range > 0 ? range : 1.0;
}

std::vector<std::size_t> AllIndices(std::size_t n) {
  std::vector<std::size_t> all(n);
  std::iota(all.begin(), all.end(), std::size_t{0});
  return all;
}

}  // namespace

std::vector<std::size_t> ThinCurve(std::span<const double> x, std::span<const double> y,
                                   std::size_t max_points) {
  const std::size_t n = std::min(x.size(), y.size());
  max_points = std::max<std::size_t>(max_points, 2);
  if (n <= max_points) return AllIndices(n);

  const double x_scale = Range(x.first(n));
  const double y_scale = Range(y.first(n));
  std::vector<double> along(n, 0.0);  // arc length from the first point to point i
  for (std::size_t i = 1; i < n; ++i) {
    along[i] = along[i - 1] + std::hypot((x[i] - x[i - 1]) / x_scale, (y[i] - y[i - 1]) / y_scale);
  }

  const double length = along[n - 1];
  if (!(length > 0)) return {0, n - 1};  // every point is the same point

  // The first point at or past each multiple of `step` is kept. The targets 0, step, ...,
  // (max_points - 2) * step are max_points - 1, each keeps at most one point, and the last point
  // makes max_points. The resize only guards against rounding. A dropped point lies less than one
  // step along the curve after the kept point before it.
  const double step = length / static_cast<double>(max_points - 2);
  std::vector<std::size_t> kept = {0};
  double next_target = step;
  for (std::size_t i = 1; i + 1 < n; ++i) {
    if (along[i] < next_target) continue;
    kept.push_back(i);
    next_target = (std::floor(along[i] / step) + 1) * step;  // targets this point already meets
  }
  if (kept.size() > max_points - 1) kept.resize(max_points - 1);
  kept.push_back(n - 1);
  return kept;
}

std::vector<std::size_t> EvenSample(std::size_t n, std::size_t max_points) {
  max_points = std::max<std::size_t>(max_points, 2);
  if (n <= max_points) return AllIndices(n);

  std::vector<std::size_t> kept(max_points);
  for (std::size_t k = 0; k < max_points; ++k) {
    // Rounded so that k = max_points - 1 lands exactly on n - 1.
    const double at =
        static_cast<double>(k) * static_cast<double>(n - 1) / static_cast<double>(max_points - 1);
    kept[k] = static_cast<std::size_t>(std::llround(at));
  }
  return kept;
}

}  // namespace kiln
